import { rm } from 'node:fs/promises';
import { type RestoreProgress, type Topology, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { expect } from 'vitest';
import { bootstrapServers, consumeAll, produceAll, waitForCommittedToEnd } from '../kafka.js';
import { tempDir, testLogger } from './helpers.js';

type Produced = { key: string; value: string; timestamp: string };

export interface ColdRestoreRun {
  readonly topology: () => Topology;
  readonly applicationId: string;
  readonly input: string;
  readonly output: string;
  /** Processed by the first instance, whose state directory is then deleted. */
  readonly phase1: Produced[];
  /** Processed by a second instance that starts with no local state. */
  readonly phase2: Produced[];
  /** The store whose restore is checked: all 3 partitions restored from offset 0, something restored. */
  readonly store: string;
  /** Where started apps go so the test's afterEach closes them (`closedAfterEach()`). */
  readonly apps: Tributary[];
  /** Filled with each output key's last record timestamp, when given. */
  readonly stamps?: Map<string, string>;
}

/**
 * Runs a topology across a cold restore: phase 1 on one instance until its input is committed, that
 * instance's state deleted, phase 2 on a fresh instance, which must restore `store` from the changelog.
 * Returns the output topic's JSON values per key, in order, for an exact comparison with ground truth.
 */
export async function runAcrossColdRestore(run: ColdRestoreRun): Promise<Map<string, unknown[]>> {
  const common = {
    applicationId: run.applicationId,
    bootstrapServers: bootstrapServers(),
    commitIntervalMs: 200,
    logger: testLogger(),
  };
  const runToEnd = async (stateDir: string): Promise<RestoreProgress[]> => {
    const app = new Tributary(run.topology(), { ...common, stateBackend: levelDbBackend({ stateDir }) });
    const events: RestoreProgress[] = [];
    app.onRestoreProgress((e) => events.push(e));
    run.apps.push(app);
    await app.start();
    expect(await waitForCommittedToEnd(run.applicationId, run.input, 90_000)).toBe(true);
    await app.close();
    return events;
  };

  await produceAll(run.input, run.phase1);
  const stateDir1 = await tempDir(`${run.store}-a`);
  await runToEnd(stateDir1);
  await rm(stateDir1, { recursive: true, force: true });

  await produceAll(run.input, run.phase2);
  const events = await runToEnd(await tempDir(`${run.store}-b`));
  const ends = events.filter((e) => e.phase === 'end' && e.store === run.store);
  expect(ends.length).toBe(3);
  expect(ends.every((e) => e.fromOffset === 0n)).toBe(true); // nothing local: from the beginning
  expect(ends.reduce((n, e) => n + e.restored, 0)).toBeGreaterThan(0);

  const got = new Map<string, unknown[]>();
  for (const r of await consumeAll(run.output, { idleMs: 1500 })) {
    const k = r.key?.toString() ?? '';
    got.set(k, [...(got.get(k) ?? []), JSON.parse(r.value?.toString() ?? 'null')]);
    run.stamps?.set(k, r.timestamp);
  }
  return got;
}
