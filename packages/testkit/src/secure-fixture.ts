import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type SecureBroker, startSecureBroker } from './secure-broker.js';

/**
 * For a describe block of tests against the SASL_SSL broker: starts it before the block's tests
 * (idempotent) and gives them a temp dir, removed after the block. Read both inside the tests.
 */
export function secureFixture(prefix: string): { broker(): SecureBroker; dir(): string } {
  let broker: SecureBroker | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    broker = await startSecureBroker();
    dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('secureFixture: read it inside a test, after beforeAll');
    return v;
  };
  return { broker: () => ready(broker), dir: () => ready(dir) };
}
