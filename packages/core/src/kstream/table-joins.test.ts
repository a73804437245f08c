import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { planInternalTopics } from '../internal/runtime/internal-topics.js';
import type { AdminPort } from '../kafka/ports.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { KTable } from './ktable.js';
import { StreamsBuilder } from './streams-builder.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
type Kind = 'join' | 'leftJoin' | 'outerJoin';
const show = (l: string | undefined, r: string | undefined, k: string) => `${k}:${l ?? '-'}+${r ?? '-'}`;

function topology(kind: Kind) {
  const b = new StreamsBuilder();
  const left = b.table<string, string>('left', { ...strings, name: 'left-store' });
  const right = b.table<string, string>('right', { ...strings, name: 'right-store' });
  const joined: KTable<string, string> =
    kind === 'join'
      ? left.join(right, (l, r, k) => show(l, r, k), { name: 'j' })
      : kind === 'leftJoin'
        ? left.leftJoin(right, show, { name: 'j' })
        : left.outerJoin(right, show, { name: 'j' });
  joined.toStream().to('out', strings);
  return b.build();
}

async function drive(kind: Kind, changelog?: InMemoryChangelog) {
  const driver = await TopologyTestDriver.create(topology(kind), changelog ? { changelog } : {});
  const input = (t: string) =>
    driver.createInputTopic<string | null, string | null>(t, Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, left: input('left'), right: input('right'), read };
}

describe('table-table joins', () => {
  it('inner join: a row while both sides hold the key, stamped with the larger timestamp; deletes retract', async () => {
    const { driver, left, right, read } = await drive('join');
    await left.pipeInput('a', 'A1', 10); // no right row: nothing
    await right.pipeInput('a', 'a1', 20);
    await left.pipeInput('a', 'A2', 5); // older than the right row: the result keeps 20
    await right.pipeInput('b', 'b1', 30); // no left row: nothing
    await right.pipeInput('a', null, 40); // retracts the row
    await right.pipeInput('a', null, 45); // repeated: the left row exists, so the tombstone is passed on again
    await left.pipeInput('b', null, 50); // a tombstone for a key the left never held: passed on
    expect(read()).toEqual([
      ['a', 'a:A1+a1', 20],
      ['a', 'a:A2+a1', 20],
      ['a', null, 40],
      ['a', null, 45],
      ['b', null, 50],
    ]);
    await driver.close();
  });

  it('left join: every left row, the right value or undefined; a right-only key emits nothing', async () => {
    const { driver, left, right, read } = await drive('leftJoin');
    await left.pipeInput('a', 'A1', 10);
    await right.pipeInput('a', 'a1', 5);
    await right.pipeInput('b', 'b1', 30);
    await right.pipeInput('a', null, 40); // back to A1 alone
    await left.pipeInput('a', null, 50);
    await left.pipeInput('x', null, 60); // neither side holds x: nothing
    await left.pipeInput('b', null, 70); // left never held b, right does: a tombstone
    expect(read()).toEqual([
      ['a', 'a:A1+-', 10],
      ['a', 'a:A1+a1', 10],
      ['a', 'a:A1+-', 40],
      ['a', null, 50],
      ['b', null, 70],
    ]);
    await driver.close();
  });

  it('outer join: a row while either side holds the key; the last delete retracts it', async () => {
    const { driver, left, right, read } = await drive('outerJoin');
    await right.pipeInput('a', 'a1', 10);
    await left.pipeInput('a', 'A1', 20);
    await left.pipeInput('a', null, 30);
    await left.pipeInput('a', null, 35); // repeated: the right row still stands, so it is emitted again
    await right.pipeInput('a', null, 40);
    await right.pipeInput('z', null, 50); // nothing anywhere: nothing
    expect(read()).toEqual([
      ['a', 'a:-+a1', 10],
      ['a', 'a:A1+a1', 20],
      ['a', 'a:-+a1', 30],
      ['a', 'a:-+a1', 35],
      ['a', null, 40],
    ]);
    await driver.close();
  });

  it('old values reach a downstream aggregation, so it subtracts retracted rows', async () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { ...strings, name: 'left-store' });
    const right = b.table<string, string>('right', { ...strings, name: 'right-store' });
    left
      .join(right, (l, r) => Number(l) * Number(r), { name: 'j' })
      .groupBy((_k, v) => ({ key: 'total', value: v }))
      .aggregate(
        () => 0,
        (_k, v, sum) => sum + v,
        (_k, v, sum) => sum - v,
        { name: 'total' },
      )
      .toStream()
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    const driver = await TopologyTestDriver.create(b.build());
    const l = driver.createInputTopic<string, string | null>('left', Serdes.string(), Serdes.string());
    const r = driver.createInputTopic<string, string | null>('right', Serdes.string(), Serdes.string());
    await l.pipeInput('a', '2', 1);
    await r.pipeInput('a', '3', 2);
    await l.pipeInput('b', '5', 3);
    await r.pipeInput('b', '1', 4);
    await r.pipeInput('a', '10', 5);
    await l.pipeInput('b', null, 6);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.json<number>());
    expect(out.readRecordsToList().map((x) => [x.value, x.timestamp])).toEqual([
      [6, 2],
      [11, 4],
      [25, 5], // 2*3 subtracted and 2*10 added, in one update (same group)
      [20, 6],
    ]);
    await driver.close();
  });

  it('the joined table serves lookups: a stream joined with it sees the current result', async () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { ...strings, name: 'left-store' });
    const right = b.table<string, string>('right', { ...strings, name: 'right-store' });
    const joined = left.leftJoin(right, show, { name: 'j' });
    b.stream<string, string>('clicks', strings)
      .join(joined, (c, row) => `${c}@${row}`)
      .to('out', strings);
    const driver = await TopologyTestDriver.create(b.build());
    const input = (t: string) =>
      driver.createInputTopic<string, string | null>(t, Serdes.string(), Serdes.string());
    await input('clicks').pipeInput('a', 'c0', 1); // no row yet
    await input('right').pipeInput('a', 'a1', 2); // a left join has no row without the left side
    await input('clicks').pipeInput('a', 'c1', 3);
    await input('left').pipeInput('a', 'A1', 4);
    await input('clicks').pipeInput('a', 'c2', 5);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'c2@a:A1+a1' },
    ]);
    await driver.close();
  });

  it('restores the row timestamps from the changelog: a result after a restart keeps the larger one', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive('join', changelog);
    await first.left.pipeInput('a', 'A1', 100);
    await first.right.pipeInput('b', 'b1', 200);
    expect(first.read()).toEqual([]);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive('join', changelog);
    await second.right.pipeInput('a', 'a1', 50); // the left row, restored, is newer
    await second.left.pipeInput('b', 'B1', 150); // the right row, restored, is newer
    expect(second.read()).toEqual([
      ['a', 'a:A1+a1', 100],
      ['b', 'b:B1+b1', 200],
    ]);
    await second.driver.close();
  });

  it('null keys on a table are skipped without an error', async () => {
    const { driver, left, right, read } = await drive('outerJoin');
    await left.pipeInput(null, 'N1', 10);
    await right.pipeInput(null, 'n1', 20);
    await left.pipeInput('a', 'A1', 30);
    expect(read()).toEqual([['a', 'a:A1+-', 30]]);
    const { processingErrors, skippedNullKeys } = driver.errorCounters();
    expect({ processingErrors, skippedNullKeys }).toEqual({ processingErrors: 0, skippedNullKeys: 2 });
    await driver.close();
  });

  it('describe() shows both sides and the merge; co-partitioning is checked at start', async () => {
    const t = topology('leftJoin');
    const text = t.describe().toString();
    expect(text).toContain(
      'Processor: j-join-this (table-table-left-join-this; stores: [right-store, j-join-timestamps])',
    );
    expect(text).toContain(
      'Processor: j-join-other (table-table-left-join-other; stores: [left-store, j-join-timestamps])',
    );
    expect(text).toContain('Processor: j-merge (table-merge; stores: [])');
    expect(t.subtopologies).toHaveLength(1);
    expect(t.subtopologies[0]?.copartitioned.map((g) => g.map((x) => x.name).sort())).toEqual([
      ['left', 'right'],
    ]);
    const admin = { partitionCounts: async () => new Map(Object.entries({ left: 3, right: 2 })) };
    const err = await planInternalTopics(t, 'app', admin as unknown as AdminPort, {
      replicationFactor: 1,
      dlqTopics: [],
    }).catch((e: unknown) => e);
    expect(isTributaryError(err) && err.code).toBe('COPARTITION_MISMATCH');
    expect((err as Error).message).toBe('joined topics must have the same partition count: left=3, right=2');
  });

  it('needs a name for its durable store', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { name: 'l' });
    const right = b.table<string, string>('right', { name: 'r' });
    expect(() => left.join(right, (x, y) => x + y, {} as { name: string })).toThrow(/needs an explicit name/);
  });
});
