import { rm } from 'node:fs/promises';
import { type RestoreProgress, Serdes, StreamsBuilder } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, type ConsumedRecord, consumeAll, createTopics, uniqueName } from '../index.js';
import { closedAfterEach, tempDir, testLogger } from './helpers.js';
import { runPhase } from './instance-helpers.js';

const T0 = Date.UTC(2025, 10, 6, 9, 0, 0);
const KEYS = 40;

type Msg = { key: string; value: string | null; timestamp: string };
type Row = { value: string; ts: number };

/** The last record per key of a topic (one key lives in one partition, whose order is kept). */
function finalRows(records: ConsumedRecord[]): Map<string, Row | null> {
  const rows = new Map<string, Row | null>();
  for (const r of records) {
    const key = r.key?.toString() as string;
    rows.set(key, r.value === null ? null : { value: r.value.toString(), ts: Number(r.timestamp) });
  }
  return rows;
}

describe('table-table joins on the real broker over 3 partitions', () => {
  const apps = closedAfterEach();

  it('restart from the state dir, restore on a fresh instance: the joined tables end equal to the join of the final inputs', async () => {
    const left = uniqueName('ttj-left');
    const right = uniqueName('ttj-right');
    const innerOut = uniqueName('ttj-inner');
    const outerOut = uniqueName('ttj-outer');
    const applicationId = uniqueName('ttj-app');
    await createTopics([
      { name: left, partitions: 3 },
      { name: right, partitions: 3 },
      { name: innerOut, partitions: 3 },
      { name: outerOut, partitions: 3 },
    ]);
    const s = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
    const show = (l: string | undefined, r: string | undefined, k: string) => `${k}:${l ?? '-'}+${r ?? '-'}`;
    const topology = () => {
      const b = new StreamsBuilder();
      const l = b.table<string, string>(left, { ...s, name: 'orders' });
      const r = b.table<string, string>(right, { ...s, name: 'customers' });
      l.join(r, show, { name: 'inner' }).toStream().to(innerOut, s);
      l.outerJoin(r, show, { name: 'outer' }).toStream().to(outerOut, s);
      return b.build();
    };

    // Three phases of updates and deletes on both tables; timestamps mostly forward, some behind.
    const phases: { left: Msg[]; right: Msg[] }[] = [];
    const final = { l: new Map<string, Row>(), r: new Map<string, Row>() };
    /** Timestamp of each side's last update per key, tombstones included. */
    const lastTs = { l: new Map<string, number>(), r: new Map<string, number>() };
    for (let p = 0; p < 3; p++) {
      const phase = { left: [] as Msg[], right: [] as Msg[] };
      for (let i = 0; i < 300; i++) {
        const n = p * 300 + i;
        for (const side of ['l', 'r'] as const) {
          const key = `k${(n * 7 + (side === 'r' ? 3 : 0)) % KEYS}`;
          const ts = T0 + n * 100 + ((n * 37 + (side === 'r' ? 11 : 0)) % 700) - 350;
          const value = (n * 13 + (side === 'r' ? 5 : 0)) % 9 === 0 ? null : `${side}${n}`;
          if (value === null) final[side].delete(key);
          else final[side].set(key, { value, ts });
          lastTs[side].set(key, ts);
          (side === 'l' ? phase.left : phase.right).push({ key, value, timestamp: String(ts) });
        }
      }
      phases.push(phase);
    }
    // Independent truth: the join of the final tables. A row's timestamp is the larger of the last
    // update that produced it and the other side's row: when one side's last update was a delete,
    // either side's last update may be the one processed last, so both are admitted.
    const truth = (outer: boolean) => {
      const rows = new Map<string, { value: string; ts: number[] }>();
      for (let k = 0; k < KEYS; k++) {
        const key = `k${k}`;
        const l = final.l.get(key);
        const r = final.r.get(key);
        if (!(outer ? l || r : l && r)) continue;
        const byLeft = Math.max(lastTs.l.get(key) ?? 0, r?.ts ?? 0);
        const byRight = Math.max(lastTs.r.get(key) ?? 0, l?.ts ?? 0);
        rows.set(key, { value: show(l?.value, r?.value, key), ts: [...new Set([byLeft, byRight])].sort() });
      }
      return rows;
    };
    expect(truth(false).size).toBeGreaterThan(10);
    expect(truth(true).size).toBeGreaterThan(truth(false).size);

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
      return events.filter((e) => e.phase === 'end');
    };
    const restored = (events: RestoreProgress[]) => events.reduce((n, e) => n + e.restored, 0);

    const dir = await tempDir('ttj-a');
    await run(dir, phases[0] as (typeof phases)[0]);
    // Restart on the same state dir: local state and checkpoints, nothing (or a tail) to replay.
    const warm = await run(dir, phases[1] as (typeof phases)[0]);
    await rm(dir, { recursive: true, force: true });
    // A fresh instance: both tables and both joins' row timestamps come back from their changelogs.
    const cold = await run(await tempDir('ttj-b'), phases[2] as (typeof phases)[0]);
    expect(restored(cold)).toBeGreaterThan(restored(warm));
    expect(new Set(cold.map((e) => e.store))).toEqual(
      new Set(['orders', 'customers', 'inner-join-timestamps', 'outer-join-timestamps']),
    );
    expect(cold.every((e) => e.fromOffset === 0n)).toBe(true);

    for (const [topic, outer] of [
      [innerOut, false],
      [outerOut, true],
    ] as const) {
      const got = finalRows(await consumeAll(topic, { idleMs: 1500 }));
      const present = [...got].filter((e): e is [string, Row] => e[1] !== null);
      const expected = truth(outer);
      expect(Object.fromEntries(present.map(([k, row]) => [k, row.value]))).toEqual(
        Object.fromEntries([...expected].map(([k, row]) => [k, row.value])),
      );
      for (const [key, row] of present) expect(expected.get(key)?.ts).toContain(row.ts);
    }
  });
});
