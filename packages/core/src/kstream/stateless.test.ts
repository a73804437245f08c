import { describe, expect, it } from 'vitest';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';

async function run(
  build: (b: StreamsBuilder) => void,
  input: [string, unknown, number?][],
  outputs: string[],
) {
  const b = new StreamsBuilder();
  build(b);
  const driver = await TopologyTestDriver.create(b.build());
  const inTopic = driver.createInputTopic<string, unknown>('in');
  for (const [k, v, ts] of input) await inTopic.pipeInput(k, v, ts ?? 0);
  const result = Object.fromEntries(
    outputs.map((t) => [t, driver.createOutputTopic<string, unknown>(t).readKeyValuesToList()]),
  );
  await driver.close();
  return result;
}

describe('stateless KStream operators', () => {
  it('filter and filterNot keep complementary records', async () => {
    const out = await run(
      (b) => {
        const s = b.stream<string, number>('in');
        s.filter((_k, v) => v % 2 === 0).to('even');
        s.filterNot((_k, v) => v % 2 === 0).to('odd');
      },
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
      ],
      ['even', 'odd'],
    );
    expect(out.even).toEqual([
      { key: 'b', value: 2 },
      { key: 'd', value: 4 },
    ]);
    expect(out.odd).toEqual([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
  });

  it('map, mapValues, selectKey transform keys and values', async () => {
    const out = await run(
      (b) => {
        const s = b.stream<string, { n: number }>('in');
        s.map((k, v) => ({ key: `${k}!`, value: v.n * 10 })).to('mapped');
        s.mapValues((v, k) => `${k}:${v.n}`).to('values');
        s.selectKey((_k, v) => `n${v.n}`).to('rekeyed');
      },
      [
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ],
      ['mapped', 'values', 'rekeyed'],
    );
    expect(out.mapped).toEqual([
      { key: 'a!', value: 10 },
      { key: 'b!', value: 20 },
    ]);
    expect(out.values).toEqual([
      { key: 'a', value: 'a:1' },
      { key: 'b', value: 'b:2' },
    ]);
    expect(out.rekeyed).toEqual([
      { key: 'n1', value: { n: 1 } },
      { key: 'n2', value: { n: 2 } },
    ]);
  });

  it('flatMap and flatMapValues emit zero or many records in order', async () => {
    const out = await run(
      (b) => {
        const s = b.stream<string, string>('in');
        s.flatMapValues((v) => v.split(' ').filter(Boolean)).to('words');
        s.flatMap((k, v) => [...v].map((ch, i) => ({ key: `${k}${i}`, value: ch }))).to('chars');
      },
      [
        ['x', 'hello world'],
        ['y', ''],
        ['z', 'ab'],
      ],
      ['words', 'chars'],
    );
    expect(out.words?.map((r) => r.value)).toEqual(['hello', 'world', 'ab']);
    expect(out.chars?.filter((r) => (r.key as string).startsWith('z'))).toEqual([
      { key: 'z0', value: 'a' },
      { key: 'z1', value: 'b' },
    ]);
    expect(out.chars).toHaveLength(13);
  });

  it('peek sees every record and passes it on; foreach is terminal', async () => {
    const peeked: string[] = [];
    const each: string[] = [];
    const out = await run(
      (b) => {
        const s = b.stream<string, string>('in').peek((k) => peeked.push(k));
        s.foreach((k, v) => each.push(`${k}=${v}`));
        s.to('out');
      },
      [
        ['a', '1'],
        ['b', '2'],
      ],
      ['out'],
    );
    expect(peeked).toEqual(['a', 'b']);
    expect(each).toEqual(['a=1', 'b=2']);
    expect(out.out).toHaveLength(2);
  });

  it('split routes to the first matching branch, the rest to the default branch', async () => {
    const out = await run(
      (b) => {
        const branches = b
          .stream<string, number>('in')
          .split({ name: 'by-size' })
          .branch((_k, v) => v < 10, { name: 'small' })
          .branch((_k, v) => v < 100, { name: 'medium' })
          .defaultBranch({ name: 'large' });
        branches.small?.to('small');
        branches.medium?.to('medium');
        branches.large?.to('large');
      },
      [
        ['a', 5],
        ['b', 50],
        ['c', 500],
        ['d', 9],
      ],
      ['small', 'medium', 'large'],
    );
    expect(out.small?.map((r) => r.key)).toEqual(['a', 'd']);
    expect(out.medium?.map((r) => r.key)).toEqual(['b']);
    expect(out.large?.map((r) => r.key)).toEqual(['c']);
  });

  it('merge interleaves two streams in arrival order', async () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('in-a');
    const c = b.stream<string, string>('in-b');
    a.merge(c).to('merged');
    const driver = await TopologyTestDriver.create(b.build());
    await driver.createInputTopic('in-a').pipeInput('1', 'a1');
    await driver.createInputTopic('in-b').pipeInput('2', 'b1');
    await driver.createInputTopic('in-a').pipeInput('3', 'a2');
    expect(
      driver
        .createOutputTopic('merged')
        .readKeyValuesToList()
        .map((r) => r.value),
    ).toEqual(['a1', 'b1', 'a2']);
  });

  it('to() with a topic extractor picks the topic per record and keeps timestamps', async () => {
    const b = new StreamsBuilder();
    b.stream<string, { kind: string }>('in').to((_k, v) => `events-${v.kind}`);
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, { kind: string }>('in');
    await input.pipeInput('k1', { kind: 'click' }, 1000);
    await input.pipeInput('k2', { kind: 'view' }, 2000);
    const clicks = driver.createOutputTopic('events-click').readRecordsToList();
    expect(clicks.map((r) => [r.key, r.timestamp])).toEqual([['k1', 1000]]);
    expect(
      driver
        .createOutputTopic('events-view')
        .readRecordsToList()
        .map((r) => r.key),
    ).toEqual(['k2']);
  });

  it('uses the timestamp extractor for event time', async () => {
    const b = new StreamsBuilder();
    b.stream<string, { ts: number }>('in', { timestampExtractor: (r) => r.value.ts }).to('out');
    const driver = await TopologyTestDriver.create(b.build());
    await driver.createInputTopic<string, { ts: number }>('in').pipeInput('k', { ts: 42_000 }, 1);
    expect(driver.createOutputTopic('out').readRecord().timestamp).toBe(42_000);
  });

  it('custom serdes are applied on both ends', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { valueSerde: Serdes.string() })
      .mapValues((v) => v.length)
      .to('out', { valueSerde: Serdes.msgpack<number>() });
    const driver = await TopologyTestDriver.create(b.build());
    await driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'four');
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.msgpack<number>()).readValue()).toBe(4);
  });
});

describe('repartition()', () => {
  it('writes to <app>-<name>-repartition and reads it back in a new sub-topology, keeping the new key', async () => {
    const b = new StreamsBuilder();
    b.stream<string, { user: string }>('in')
      .selectKey((_k, v) => v.user)
      .repartition({ name: 'by-user', keySerde: Serdes.string() })
      .mapValues((v) => v.user.toUpperCase())
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    const topology = b.build();
    expect(topology.subtopologies).toHaveLength(2);
    expect(topology.repartitionTopics).toEqual([{ name: 'by-user', numberOfPartitions: undefined }]);
    expect(topology.describe().toString()).toContain(
      'Sink: by-user-repartition-sink (topic: <app>-by-user-repartition)',
    );
    const driver = await TopologyTestDriver.create(topology, { applicationId: 'app' });
    await driver.createInputTopic<string, { user: string }>('in').pipeInput('order-1', { user: 'ann' });
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      { key: 'ann', value: 'ANN' },
    ]);
  });
});
