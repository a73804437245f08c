import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  jsonLogger,
  type LogFields,
  type Logger,
  type RestoreProgress,
  silentLogger,
  type Tributary,
} from '@tributary/core';
import { afterEach, expect } from 'vitest';
import { type ConsumedRecord, waitForCommittedToEnd } from '../kafka.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

/** Quiet by default; TRIBUTARY_TEST_LOG=debug|info shows runtime logs. */
export function testLogger(): Logger {
  const level = process.env.TRIBUTARY_TEST_LOG;
  return level === 'debug' || level === 'info' || level === 'warn' ? jsonLogger(level) : silentLogger;
}

/** Polls `check` until it returns true or the timeout passes; returns the last value of `check`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Latest value per key, as a table view of a topic (JSON values, string keys). */
export function latestByKey(records: readonly ConsumedRecord[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const r of records) {
    const k = r.key?.toString() ?? '';
    if (r.value === null) m.delete(k);
    else m.set(k, JSON.parse(r.value.toString()));
  }
  return m;
}

/** Passes everything to `inner` and shows every info and warn line to `onLine` (to assert on runtime events). */
export function tapLogger(
  inner: Logger,
  onLine: (msg: string, fields: LogFields | undefined) => void,
): Logger {
  const wrap = (l: Logger): Logger => ({
    debug: (m, f) => l.debug(m, f),
    info: (m, f) => {
      onLine(m, f);
      l.info(m, f);
    },
    warn: (m, f) => {
      onLine(m, f);
      l.warn(m, f);
    },
    error: (m, f) => l.error(m, f),
    child: (fields) => wrap(l.child(fields)),
  });
  return wrap(inner);
}

/** Apps a test pushes here are closed after each test of the calling describe block, even on failure. */
export function closedAfterEach(): Tributary[] {
  const apps: Tributary[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close().catch(() => {});
  });
  return apps;
}

/**
 * Starts `app` (closed after the test by `apps`), waits until its group has committed `input` to
 * the end, closes it, and returns the restore events it reported.
 */
export async function runToCommittedEnd(
  apps: Tributary[],
  app: Tributary,
  applicationId: string,
  input: string,
): Promise<RestoreProgress[]> {
  const events: RestoreProgress[] = [];
  app.onRestoreProgress((e) => events.push(e));
  apps.push(app);
  await app.start();
  expect(await waitForCommittedToEnd(applicationId, input, 90_000)).toBe(true);
  await app.close();
  return events;
}

/** Every value per key, in order (JSON values, string keys): duplicates stay visible. */
export function valuesByKey(records: readonly ConsumedRecord[]): Record<string, unknown[]> {
  const got: Record<string, unknown[]> = {};
  for (const r of records) {
    const k = r.key?.toString() ?? '';
    got[k] = [...(got[k] ?? []), JSON.parse(r.value?.toString() ?? 'null')];
  }
  return got;
}
