import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ConsumedRecord,
  committedCount,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { eventually, tempDir } from './helpers.js';
import { spawnFixture } from './instance-helpers.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fk-join-app.ts');
const T0 = Date.UTC(2025, 10, 6, 9, 0, 0);
const LEFT_KEYS = 90;
const RIGHT_KEYS = 24;

type Msg = { key: string; value: string | null; timestamp: string };
type Row = { value: string; ts: number };

const startApp = (env: Record<string, string>) => spawnFixture(fixture, env);

/** Per key, the committed records in order (one key lives in one partition, whose order is kept). */
function byKey(records: ConsumedRecord[]): Map<string, (Row | null)[]> {
  const m = new Map<string, (Row | null)[]>();
  for (const r of records) {
    const k = r.key?.toString() as string;
    const list = m.get(k) ?? [];
    list.push(r.value === null ? null : { value: r.value.toString(), ts: Number(r.timestamp) });
    m.set(k, list);
  }
  return m;
}

describe('foreign-key join on the real broker over 3 partitions (exactly-once)', () => {
  it('an instance killed mid-run, a fresh one restoring from the changelogs: the joined tables end equal to the join of the final inputs, without replayed output', async () => {
    const left = uniqueName('fkj-left');
    const right = uniqueName('fkj-right');
    const innerOut = uniqueName('fkj-inner');
    const leftOut = uniqueName('fkj-leftout');
    const appId = uniqueName('fkj-app');
    await createTopics([left, right, innerOut, leftOut].map((name) => ({ name, partitions: 3 })));
    // The internal topics too, ahead of the first start: on this shared broker a topic created a
    // moment before the restore's first offset lookup could still answer NOT_LEADER, which stops
    // the instance (a start-up race of the runtime, not of the join).
    const stores = ['orders', 'customers'];
    for (const j of ['fi', 'fl'])
      stores.push(`${j}-subscription-store`, `${j}-foreign-timestamps`, `${j}-output`);
    await createTopics([
      ...stores.map((st) => ({
        name: `${appId}-${st}-changelog`,
        partitions: 3,
        configs: { 'cleanup.policy': 'compact' },
      })),
      ...['fi', 'fl'].flatMap((j) =>
        ['registration', 'response'].map((t) => ({
          name: `${appId}-${j}-subscription-${t}-repartition`,
          partitions: 3,
          configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' },
        })),
      ),
    ]);

    // Three phases: left rows subscribe, then move between foreign keys (some to none, some to a
    // null one) and get deleted; right rows change and get deleted. Every value is unique, so a
    // result never repeats unless a record is processed twice. Quick updates of one left row make
    // the answers to its earlier values stale: those are dropped, so the output counts below are
    // lower bounds far below one result per update.
    const final = { l: new Map<string, Row>(), r: new Map<string, Row>() };
    const lastRightTs = new Map<string, number>();
    /** Each left key's value before its last update (null: none). */
    const beforeLast = new Map<string, string | null>();
    let n = 0;
    const phase = (leftUpdates: number, rightUpdates: number) => {
      const msgs = { left: [] as Msg[], right: [] as Msg[] };
      const put = (side: 'l' | 'r', key: string, value: string | null) => {
        const ts = T0 + n * 10 + ((n * 37) % 200) - 100;
        n += 1;
        const previous = final[side].get(key)?.value ?? null;
        if (value === null) final[side].delete(key);
        else final[side].set(key, { value, ts });
        if (side === 'r') lastRightTs.set(key, ts);
        else beforeLast.set(key, previous);
        (side === 'l' ? msgs.left : msgs.right).push({ key, value, timestamp: String(ts) });
      };
      for (let i = 0; i < Math.max(leftUpdates, rightUpdates); i++) {
        if (i < rightUpdates) {
          const key = `f${(i * 5 + n) % RIGHT_KEYS}`;
          // Only an existing row is deleted: a repeated delete would legitimately repeat a result.
          put('r', key, final.r.has(key) && (i + n) % 7 === 0 ? null : `R${n}`);
        }
        if (i < leftUpdates) {
          const key = `o${(i * 7 + n) % LEFT_KEYS}`;
          const roll = (i * 13 + n) % 17;
          if (roll === 0 && final.l.has(key)) put('l', key, null);
          else if (roll === 1) put('l', key, `|L${n}`);
          else put('l', key, `f${(i * 11 + n * 3) % (RIGHT_KEYS + 3)}|L${n}`);
        }
      }
      return msgs;
    };
    const phases = [phase(LEFT_KEYS * 2, RIGHT_KEYS * 2), phase(600, 200), phase(300, 120)];

    const truth = (leftJoin: boolean) => {
      const rows = new Map<string, { value: string; ts: number[] }>();
      for (const [key, l] of final.l) {
        const fk = l.value.slice(0, l.value.indexOf('|')) || null;
        const r = fk === null ? undefined : final.r.get(fk);
        if (!r && !leftJoin) continue;
        // The last result comes from the left row's subscription or from the right row's last update.
        const ts = [Math.max(l.ts, r?.ts ?? l.ts)];
        const rightTs = fk === null ? undefined : lastRightTs.get(fk);
        if (rightTs !== undefined) ts.push(rightTs);
        rows.set(key, { value: `${key}:${l.value}+${r?.value ?? '-'}`, ts });
      }
      return rows;
    };
    // The inner join's known race (Kafka Streams' too): a left update that gets no answer (a null
    // foreign key after none, a delete of a row without one, or a subscription to a foreign key
    // whose right row is missing) leaves the answer to an earlier update in flight, and that answer
    // is then dropped as stale, so a retraction it carried is lost. Such keys (whose true result is
    // always "no row") are left out of the inner join's exact comparison; docs/joins.md explains.
    const fkOf = (v: string | null | undefined) => (v ? v.slice(0, v.indexOf('|')) || null : null);
    const racyInner = new Set<string>();
    for (const [key, before] of beforeLast) {
      const now = final.l.get(key)?.value;
      const oldFk = fkOf(before);
      const newFk = fkOf(now);
      const silent = oldFk === null && newFk === null;
      const onlyIfValue = now !== undefined && newFk !== null && (oldFk === null || oldFk === newFk);
      if (silent || (onlyIfValue && !final.r.has(newFk as string))) racyInner.add(key);
    }
    expect(racyInner.size).toBeLessThan(LEFT_KEYS / 3);
    const compared = (rows: Iterable<[string, string]>, leftJoin: boolean) =>
      JSON.stringify([...rows].filter(([k]) => leftJoin || !racyInner.has(k)).sort());
    expect(truth(false).size).toBeGreaterThan(20);
    expect(truth(true).size).toBeGreaterThan(truth(false).size);

    const env = { LEFT: left, RIGHT: right, INNER_OUT: innerOut, LEFT_OUT: leftOut, APP_ID: appId };
    const produce = async (p: { left: Msg[]; right: Msg[] }) => {
      await produceAll(right, p.right);
      await produceAll(left, p.left);
    };

    // Instance A, slowed down, is killed (SIGKILL: no shutdown commit) in the middle of phase 2.
    await produce(phases[0] as (typeof phases)[0]);
    const a = startApp({
      ...env,
      STATE_DIR: await tempDir('fkj-a'),
      SLOW_US: '20000',
    });
    const p0 = (phases[0] as (typeof phases)[0]).left.length;
    const leftDone = (n: number) =>
      eventually(async () => (await committedCount(appId, left)) >= n, 180_000, 300);
    expect(await leftDone(p0), a.output()).toBe(true);
    await produce(phases[1] as (typeof phases)[0]);
    expect(await leftDone(p0 + 100), a.output()).toBe(true);
    a.child.kill('SIGKILL');
    await a.exited;
    // It really stopped mid-run: part of the left table's updates are not committed yet.
    const leftCommitted = await committedCount(appId, left);
    expect(leftCommitted).toBeLessThan(p0 + (phases[1] as (typeof phases)[0]).left.length);

    // Instance B starts on an empty state dir: every store comes back from its changelog.
    await produce(phases[2] as (typeof phases)[0]);
    const b = startApp({ ...env, STATE_DIR: await tempDir('fkj-b'), SLOW_US: '0' });
    const finalRows = async (topic: string) =>
      byKey(await consumeAll(topic, { idleMs: 1500, readCommitted: true }));
    const lastValues = (rows: Map<string, (Row | null)[]>): [string, string][] =>
      [...rows].flatMap(([k, list]) => {
        const last = list.at(-1);
        return last ? [[k, last.value] as [string, string]] : [];
      });
    const settled = (got: Map<string, (Row | null)[]>, leftJoin: boolean) =>
      compared(lastValues(got), leftJoin) ===
      compared(
        [...truth(leftJoin)].map(([k, row]) => [k, row.value]),
        leftJoin,
      );
    try {
      expect(await waitForCommittedToEnd(appId, left, 120_000), b.output()).toBe(true);
      expect(await waitForCommittedToEnd(appId, right, 120_000), b.output()).toBe(true);
      // The internal topics end in transaction markers, so wait for the outputs to settle instead;
      // the comparisons below then show any difference.
      await eventually(
        async () => settled(await finalRows(innerOut), false) && settled(await finalRows(leftOut), true),
        120_000,
        1000,
      );
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }

    for (const [topic, leftJoin] of [
      [innerOut, false],
      [leftOut, true],
    ] as const) {
      const got = await finalRows(topic);
      const expected = truth(leftJoin);
      const keep = ([k]: readonly [string, unknown]) => leftJoin || !racyInner.has(k);
      const present = [...got]
        .map(([k, rows]) => [k, rows.at(-1)] as const)
        .filter((e): e is readonly [string, Row] => e[1] != null)
        .filter(keep);
      expect(Object.fromEntries(present.map(([k, row]) => [k, row.value]))).toEqual(
        Object.fromEntries([...expected].filter(keep).map(([k, row]) => [k, row.value])),
      );
      for (const [key, row] of present) expect(expected.get(key)?.ts, key).toContain(row.ts);
      // Exactly-once: no result was committed twice in a row (a replay after the kill would be).
      const repeated = [...got].filter(([, rows]) =>
        rows.some((r, i) => i > 0 && r !== null && r.value === rows[i - 1]?.value),
      );
      expect(repeated.map(([k]) => k)).toEqual([]);
    }
  });
});
