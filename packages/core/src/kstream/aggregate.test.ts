import { describe, expect, it } from 'vitest';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';

describe('grouped aggregations', () => {
  it('count by key emits every update and keeps the count in the store', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { valueSerde: Serdes.string() })
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to('out', { valueSerde: Serdes.json<number>() });
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    for (const k of ['a', 'b', 'a', 'a', 'c', 'b']) await input.pipeInput(k, 'x');
    expect(driver.createOutputTopic<string, number>('out').readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
      { key: 'a', value: 3 },
      { key: 'c', value: 1 },
      { key: 'b', value: 2 },
    ]);
    const store = driver.getKeyValueStore<string, number>('counts');
    expect([store.get('a'), store.get('b'), store.get('c'), store.get('zz')]).toEqual([3, 2, 1, undefined]);
  });

  it('word count: flatMapValues + groupBy repartitions by the new key', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('lines', { valueSerde: Serdes.string() })
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_k, word) => word)
      .count({ name: 'word-counts' })
      .toStream()
      .to('counts');
    const topology = b.build();
    expect(topology.subtopologies).toHaveLength(2);
    expect(topology.repartitionTopics.map((t) => t.name)).toEqual(['word-counts']);
    const driver = await TopologyTestDriver.create(topology);
    const input = driver.createInputTopic('lines', Serdes.string(), Serdes.string());
    await input.pipeInput('1', 'The cat and the hat');
    await input.pipeInput('2', 'the end');
    const latest = driver.createOutputTopic<string, number>('counts').readKeyValuesToMap();
    expect(Object.fromEntries(latest)).toEqual({ the: 3, cat: 1, and: 1, hat: 1, end: 1 });
  });

  it('reduce and aggregate keep per-key state', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream<string, number>('in').groupByKey();
    grouped
      .reduce((a, v) => Math.max(a, v), { name: 'max' })
      .toStream()
      .to('max');
    grouped
      .aggregate(
        () => ({ sum: 0, n: 0 }),
        (_k, v, agg) => ({ sum: agg.sum + v, n: agg.n + 1 }),
        { name: 'stats' },
      )
      .toStream()
      .to('stats');
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, number>('in');
    for (const [k, v] of [
      ['a', 3],
      ['a', 9],
      ['b', 1],
      ['a', 4],
    ] as const)
      await input.pipeInput(k, v);
    expect(Object.fromEntries(driver.createOutputTopic<string, number>('max').readKeyValuesToMap())).toEqual({
      a: 9,
      b: 1,
    });
    expect(Object.fromEntries(driver.createOutputTopic('stats').readKeyValuesToMap())).toEqual({
      a: { sum: 16, n: 3 },
      b: { sum: 1, n: 1 },
    });
  });

  // Measured against Kafka Streams 4.1 (fixtures null-stream-count, null-groupby-key): a null key or
  // a null value is skipped and counted, not an error, so even the default 'fail' policy keeps going.
  it('a null key or a null value is skipped and counted, never an error, after a key change too', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { valueSerde: Serdes.string() })
      .selectKey((_k, v) => (v === 'none' ? (null as unknown as string) : (v ?? 'x')))
      .groupByKey()
      .count({ name: 'c' })
      .toStream()
      .to('out', { valueSerde: Serdes.json<number>() });
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, string | null>('in', Serdes.string(), Serdes.string());
    await input.pipeInput('k1', 'x', 1_000);
    await input.pipeInput('k2', 'none', 2_000);
    await input.pipeInput('k3', null, 3_000);
    await input.pipeInput('k4', 'x', 4_000);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.json<number>());
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['x', 1, 1_000],
      ['x', 2, 4_000],
    ]);
    const { processingErrors, skippedNullKeys, skippedNullValues } = driver.errorCounters();
    expect({ processingErrors, skippedNullKeys, skippedNullValues }).toEqual({
      processingErrors: 0,
      skippedNullKeys: 1,
      skippedNullValues: 1,
    });
  });
});

describe('KTable semantics', () => {
  it('a table upserts, deletes on null, and forwards the new value (null on delete)', async () => {
    const b = new StreamsBuilder();
    b.table<string, string>('users', { name: 'users-store', valueSerde: Serdes.string() })
      .toStream()
      .to('out', {
        valueSerde: Serdes.string(),
      });
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic('users', Serdes.string(), Serdes.string());
    await input.pipeInput('u1', 'ann');
    await input.pipeInput('u2', 'bob');
    await input.pipeInput('u1', 'anna');
    await input.pipeRaw(Buffer.from('u2'), null);
    // Deleting an absent key still forwards the tombstone, as Kafka Streams (fixture null-table-source).
    await input.pipeRaw(Buffer.from('u3'), null);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList();
    expect(out).toEqual([
      { key: 'u1', value: 'ann' },
      { key: 'u2', value: 'bob' },
      { key: 'u1', value: 'anna' },
      { key: 'u2', value: null },
      { key: 'u3', value: null },
    ]);
    const store = driver.getKeyValueStore<string, string>('users-store');
    expect([store.get('u1'), store.get('u2')]).toEqual(['anna', undefined]);
  });

  it('filter retracts a row that stops matching; mapValues maps old and new', async () => {
    const b = new StreamsBuilder();
    b.table<string, number>('scores', { name: 'scores' })
      .filter((_k, v) => v >= 10)
      .mapValues((v) => v * 2)
      .toStream()
      .to('high');
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, number>('scores');
    await input.pipeInput('a', 12);
    await input.pipeInput('b', 3); // never matched: nothing
    await input.pipeInput('a', 5); // stops matching: retraction
    await input.pipeInput('b', 20);
    expect(driver.createOutputTopic<string, number | null>('high').readKeyValuesToList()).toEqual([
      { key: 'a', value: 24 },
      { key: 'a', value: null },
      { key: 'b', value: 40 },
    ]);
  });

  it('groupBy + count subtracts from the old group when a row moves', async () => {
    const b = new StreamsBuilder();
    b.table<string, { team: string }>('players', { name: 'players' })
      .groupBy((_k, v) => ({ key: v.team, value: v }))
      .count({ name: 'team-sizes' })
      .toStream()
      .to('sizes');
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, { team: string } | null>('players');
    await input.pipeInput('p1', { team: 'red' });
    await input.pipeInput('p2', { team: 'red' });
    await input.pipeInput('p3', { team: 'blue' });
    await input.pipeInput('p1', { team: 'blue' }); // moves: red 2->1, blue 1->2
    await input.pipeRaw(Buffer.from('p3'), null); // leaves: blue 2->1
    const sizes = driver.createOutputTopic<string, number>('sizes').readKeyValuesToList();
    expect(sizes).toEqual([
      { key: 'red', value: 1 },
      { key: 'red', value: 2 },
      { key: 'blue', value: 1 },
      { key: 'red', value: 1 },
      { key: 'blue', value: 2 },
      { key: 'blue', value: 1 },
    ]);
    expect(driver.getKeyValueStore<string, number>('team-sizes').get('blue')).toBe(1);
  });

  it('groupBy + reduce with adder and subtractor sums values per group', async () => {
    const b = new StreamsBuilder();
    b.table<string, { region: string; amount: number }>('accounts', { name: 'accounts' })
      .groupBy((_k, v) => ({ key: v.region, value: v.amount }))
      .reduce(
        (a, v) => a + v,
        (a, v) => a - v,
        { name: 'region-totals' },
      )
      .toStream()
      .to('totals');
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, { region: string; amount: number }>('accounts');
    await input.pipeInput('x', { region: 'eu', amount: 10 });
    await input.pipeInput('y', { region: 'eu', amount: 5 });
    await input.pipeInput('x', { region: 'eu', amount: 7 }); // same group: 15 - 10 + 7 = 12
    expect(
      driver
        .createOutputTopic<string, number>('totals')
        .readKeyValuesToList()
        .map((r) => r.value),
    ).toEqual([10, 15, 12]);
  });

  it('toTable materializes the latest value per key', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in').toTable({ name: 'latest' });
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, number>('in');
    await input.pipeInput('a', 1);
    await input.pipeInput('a', 2);
    expect(driver.getKeyValueStore<string, number>('latest').get('a')).toBe(2);
  });
});
