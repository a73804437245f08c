import { rm } from 'node:fs/promises';
import { type RestoreProgress, Serdes, SlidingWindows, StreamsBuilder, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { closedAfterEach, tempDir, testLogger } from './helpers.js';

const DIFF = 10_000;
const GRACE = 5_000;
const T0 = Date.UTC(2025, 10, 6, 8, 0, 0);
const FAR = 60 * 60_000;
const USERS = 9;
/** Offsets of each user's records: pairs within diff, a record at exactly diff, gaps wider than diff. */
const OFFSETS = [0, 4_000, 11_000, 15_000, 21_000, 40_000, 47_000, 52_000, 53_000];
/** Records before this offset go to the first instance; [5 s, 15 s] spans both. */
const SPLIT = 15_000;

/**
 * The sliding windows of one key straight from the definition, not from the processor's algorithm:
 * a window [t - diff, t] for every record t, and [t + 1, t + 1 + diff] when a record lies in
 * (t, t + 1 + diff]; each counts the records inside it, both ends inclusive.
 */
function windowsByDefinition(ts: readonly number[]): Map<number, number> {
  const starts = new Set<number>();
  for (const t of ts) {
    starts.add(t - DIFF);
    if (ts.some((r) => r > t && r <= t + 1 + DIFF)) starts.add(t + 1);
  }
  const counts = new Map<number, number>();
  for (const s of starts) counts.set(s, ts.filter((r) => r >= s && r <= s + DIFF).length);
  return counts;
}

describe('sliding windows on the real broker', () => {
  const apps = closedAfterEach();

  async function runToEnd(app: Tributary, applicationId: string, input: string): Promise<RestoreProgress[]> {
    const events: RestoreProgress[] = [];
    app.onRestoreProgress((e) => events.push(e));
    apps.push(app);
    await app.start();
    expect(await waitForCommittedToEnd(applicationId, input, 90_000)).toBe(true);
    await app.close();
    return events;
  }

  it('a fresh instance restores windows from the changelog; each final window is emitted once and exact', async () => {
    const input = uniqueName('sliding-in');
    const output = uniqueName('sliding-out');
    const applicationId = uniqueName('sliding-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() })
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(DIFF, GRACE))
        .count({ name: 'sliding' })
        .toStream()
        .map((w, n) => ({ key: `${w.key}@${w.window.start - T0}/${w.window.end - T0}`, value: n }))
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    const truth = new Map<string, number>();
    const phase1: { key: string; value: string; timestamp: string }[] = [];
    const phase2: typeof phase1 = [];
    for (const offset of OFFSETS) {
      for (let u = 0; u < USERS; u++) {
        const record = { key: `u${u}`, value: 'x', timestamp: String(T0 + offset + u * 100) };
        (offset < SPLIT ? phase1 : phase2).push(record);
      }
    }
    for (let u = 0; u < USERS; u++) {
      const ts = OFFSETS.map((o) => o + u * 100);
      for (const [start, n] of windowsByDefinition(ts)) truth.set(`u${u}@${start}/${start + DIFF}`, n);
    }
    // One record per user far ahead closes every earlier window (its own stays open).
    for (let u = 0; u < USERS; u++) phase2.push({ key: `u${u}`, value: 'x', timestamp: String(T0 + FAR) });

    await produceAll(input, phase1);
    const backend = (dir: string) => levelDbBackend({ stateDir: dir });
    const common = {
      applicationId,
      bootstrapServers: bootstrapServers(),
      commitIntervalMs: 200,
      logger: testLogger(),
    };
    const stateDir1 = await tempDir('sliding-a');
    await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: backend(stateDir1) }),
      applicationId,
      input,
    );
    await rm(stateDir1, { recursive: true, force: true });

    await produceAll(input, phase2);
    const events = await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: backend(await tempDir('sliding-b')) }),
      applicationId,
      input,
    );
    const ends = events.filter((e) => e.phase === 'end' && e.store === 'sliding');
    expect(ends.length).toBe(3);
    expect(ends.every((e) => e.fromOffset === 0n)).toBe(true);
    expect(ends.reduce((n, e) => n + e.restored, 0)).toBeGreaterThan(0);

    const got = new Map<string, number[]>();
    for (const r of await consumeAll(output, { idleMs: 1500 })) {
      const k = r.key?.toString() ?? '';
      got.set(k, [...(got.get(k) ?? []), JSON.parse(r.value?.toString() ?? 'null')]);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries([...truth].map(([k, n]) => [k, [n]])));
  });
});
