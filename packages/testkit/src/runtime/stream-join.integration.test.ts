import { rm } from 'node:fs/promises';
import { JoinWindows, type RestoreProgress, Serdes, StreamsBuilder } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, consumeAll, createTopics, uniqueName } from '../index.js';
import { closedAfterEach, tempDir, testLogger } from './helpers.js';
import { runPhase } from './instance-helpers.js';

const T0 = Date.UTC(2025, 10, 6, 9, 0, 0);
const KEYS = 12;
const WINDOW_MS = 2_000;
// Grace far beyond the data's span: every record stays retained, so the set of joined pairs does
// not depend on how the runtime interleaves the two topics' partitions.
const GRACE_MS = 60 * 60 * 1000;

type Msg = { key: string; value: string; timestamp: string };

describe('stream-stream join on the real broker over 3 partitions', () => {
  const apps = closedAfterEach();

  it('restarts from its state dir, restores both buffers on a fresh instance, and emits exactly every pair', async () => {
    const left = uniqueName('ssj-left');
    const right = uniqueName('ssj-right');
    const output = uniqueName('ssj-out');
    const applicationId = uniqueName('ssj-app');
    await createTopics([
      { name: left, partitions: 3 },
      { name: right, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      const s = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
      b.stream<string, string>(left, s)
        .join(
          b.stream<string, string>(right, s),
          (l, r, k) => `${k}:${l}+${r}`,
          JoinWindows.ofTimeDifferenceAndGrace(WINDOW_MS, GRACE_MS),
          { name: 'clicks-views' },
        )
        .to(output, s);
      return b.build();
    };

    // Three phases of records on both sides; timestamps move forward with jitter, keys round-robin.
    const phases: { left: Msg[]; right: Msg[] }[] = [];
    const all: { side: 'l' | 'r'; key: string; value: string; ts: number }[] = [];
    for (let p = 0; p < 3; p++) {
      const phase = { left: [] as Msg[], right: [] as Msg[] };
      for (let i = 0; i < 240; i++) {
        const n = p * 240 + i;
        for (const side of ['l', 'r'] as const) {
          const key = `k${(n * 7 + (side === 'r' ? 3 : 0)) % KEYS}`;
          const ts = T0 + n * 150 + ((n * 37 + (side === 'r' ? 11 : 0)) % 900);
          const value = `${side}${n}`;
          all.push({ side, key, value, ts });
          (side === 'l' ? phase.left : phase.right).push({ key, value, timestamp: String(ts) });
        }
      }
      phases.push(phase);
    }
    // Independent truth: every left-right pair of a key within the window, at the larger timestamp.
    const truth: string[] = [];
    for (const l of all.filter((x) => x.side === 'l'))
      for (const r of all.filter((x) => x.side === 'r' && x.key === l.key))
        if (Math.abs(l.ts - r.ts) <= WINDOW_MS)
          truth.push(`${l.key}|${l.key}:${l.value}+${r.value}|${Math.max(l.ts, r.ts)}`);
    expect(truth.length).toBeGreaterThan(500);

    const common = {
      applicationId,
      bootstrapServers: bootstrapServers(),
      commitIntervalMs: 200,
      logger: testLogger(),
    };
    const run = async (stateDir: string, phase: { left: Msg[]; right: Msg[] }) => {
      const events = await runPhase({
        topology,
        config: common,
        stateDir,
        inputs: [
          [left, phase.left],
          [right, phase.right],
        ],
        apps,
      });
      return events;
    };
    const restored = (events: RestoreProgress[]) =>
      events
        .filter((e) => e.phase === 'end' && e.store.startsWith('clicks-views-'))
        .reduce((n, e) => n + e.restored, 0);

    const dir = await tempDir('ssj-a');
    await run(dir, phases[0] as (typeof phases)[0]);
    // Restart on the same state dir: local state and checkpoints, nothing (or a tail) to replay.
    const warm = await run(dir, phases[1] as (typeof phases)[0]);
    await rm(dir, { recursive: true, force: true });
    // A fresh instance: both join buffers come back from their changelogs.
    const cold = await run(await tempDir('ssj-b'), phases[2] as (typeof phases)[0]);
    expect(restored(cold)).toBeGreaterThan(restored(warm));
    const coldEnds = cold.filter((e) => e.phase === 'end' && e.store.startsWith('clicks-views-'));
    expect(new Set(coldEnds.map((e) => e.store))).toEqual(
      new Set(['clicks-views-this-join-store', 'clicks-views-other-join-store']),
    );
    expect(coldEnds.every((e) => e.fromOffset === 0n)).toBe(true);

    const got = (await consumeAll(output, { idleMs: 1500 })).map(
      (r) => `${r.key?.toString()}|${r.value?.toString()}|${r.timestamp}`,
    );
    expect(got.sort()).toEqual(truth.sort());
  });
});
