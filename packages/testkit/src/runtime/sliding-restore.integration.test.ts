import { Serdes, SlidingWindows, StreamsBuilder } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { createTopics, uniqueName } from '../index.js';
import { runAcrossColdRestore } from './cold-restore.js';
import { closedAfterEach } from './helpers.js';

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

  it('a fresh instance restores windows from the changelog; each final window is emitted once and exact', async () => {
    const input = uniqueName('sliding-in');
    const output = uniqueName('sliding-out');
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

    const got = await runAcrossColdRestore({
      topology,
      applicationId: uniqueName('sliding-app'),
      input,
      output,
      phase1,
      phase2,
      store: 'sliding',
      apps,
    });
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries([...truth].map(([k, n]) => [k, [n]])));
  });
});
