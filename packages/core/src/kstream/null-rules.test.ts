import { describe, expect, it } from 'vitest';
import type { Topology } from '../internal/graph/topology.js';
import { type LogFields, type Logger, silentLogger } from '../logger.js';
import type { KeyValue } from '../record.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';
import { TimeWindows } from './windows.js';

/**
 * Null keys and values at each stateful operator, as measured against Kafka Streams 4.1 (fixtures
 * null-*): what is skipped (and counted, under the default 'fail' policy, without stopping), what
 * reaches the user's functions, and what is forwarded.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
const str = (v: unknown): string => (v === undefined || v === null ? 'null' : String(v));
type Row = [string | null, string | null, number];

async function run(
  topology: Topology,
  steps: [string, string | null, string | null, number][],
  outs = ['out'],
) {
  const driver = await TopologyTestDriver.create(topology, { initialWallClockMs: 0 });
  const readers = outs.map((t) => driver.createOutputTopic(t, Serdes.string(), Serdes.string()));
  for (const [topic, key, value, ts] of steps) {
    await driver
      .createInputTopic<string | null, string | null>(topic, Serdes.string(), Serdes.string())
      .pipeInput(key, value, ts);
  }
  const outputs = readers.map((r) => r.readRecordsToList().map((x): Row => [x.key, x.value, x.timestamp]));
  const { skippedNullKeys, skippedNullValues, processingErrors } = driver.errorCounters();
  await driver.close();
  return { outputs, counters: { skippedNullKeys, skippedNullValues, processingErrors } };
}

const keyValueNulls: [string, string | null, string | null, number][] = [
  ['in', 'a', 'p', 1_000],
  ['in', null, 'q', 2_000],
  ['in', 'a', null, 3_000],
  ['in', 'a', 'r', 4_000],
];

function build(define: (b: StreamsBuilder) => void): Topology {
  const b = new StreamsBuilder();
  define(b);
  return b.build();
}

describe('null rules', () => {
  it('groupByKey().reduce skips a null key and a null value: the reducer never sees them', async () => {
    const topology = build((b) =>
      b
        .stream<string, string>('in', strings)
        .groupByKey()
        .reduce((a, v) => `${a}+${v}`, { name: 'r' })
        .toStream()
        .to('out', strings),
    );
    const { outputs, counters } = await run(topology, keyValueNulls);
    expect(outputs).toEqual([
      [
        ['a', 'p', 1_000],
        ['a', 'p+r', 4_000],
      ],
    ]);
    expect(counters).toEqual({ skippedNullKeys: 1, skippedNullValues: 1, processingErrors: 0 });
  });

  it('windowed count skips a null key and counts a null value', async () => {
    const topology = build((b) =>
      b
        .stream<string, string>('in', strings)
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000))
        .count({ name: 'c', emit: 'update' })
        .toStream()
        .map((w, n) => ({ key: `${w.key}@${w.window.start}`, value: String(n) }))
        .to('out', strings),
    );
    const { outputs, counters } = await run(topology, keyValueNulls);
    expect(outputs).toEqual([
      [
        ['a@0', '1', 1_000],
        ['a@0', '2', 3_000],
        ['a@0', '3', 4_000],
      ],
    ]);
    expect(counters).toEqual({ skippedNullKeys: 1, skippedNullValues: 0, processingErrors: 0 });
  });

  it('windowed reduce hands null values to the reducer; a null first value forwards a null aggregate', async () => {
    const topology = build((b) =>
      b
        .stream<string, string>('in', strings)
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000))
        .reduce((a, v) => `${str(a)}+${str(v)}`, { name: 'r', emit: 'update' })
        .toStream()
        .map((w, v) => ({ key: `${w.key}@${w.window.start}`, value: v }))
        .to('out', strings),
    );
    const steps: [string, string | null, string | null, number][] = [
      ['in', 'a', null, 1_000],
      ['in', 'a', 'p', 2_000],
      ['in', 'a', null, 3_000],
    ];
    const { outputs } = await run(topology, steps);
    expect(outputs).toEqual([
      [
        ['a@0', null, 1_000],
        ['a@0', 'p', 2_000],
        ['a@0', 'p+null', 3_000],
      ],
    ]);
  });

  it('a table source skips a null key and forwards a tombstone even for an absent key', async () => {
    const topology = build((b) =>
      b
        .table<string, string>('in', { ...strings, name: 't' })
        .toStream()
        .to('out', strings),
    );
    const steps: [string, string | null, string | null, number][] = [
      ['in', 'a', 'p', 1_000],
      ['in', null, 'q', 2_000],
      ['in', 'b', null, 3_000],
      ['in', 'a', null, 4_000],
    ];
    const { outputs, counters } = await run(topology, steps);
    expect(outputs).toEqual([
      [
        ['a', 'p', 1_000],
        ['b', null, 3_000],
        ['a', null, 4_000],
      ],
    ]);
    expect(counters).toEqual({ skippedNullKeys: 1, skippedNullValues: 0, processingErrors: 0 });
  });

  it('toTable skips a null key', async () => {
    const topology = build((b) =>
      b
        .stream<string, string>('in', strings)
        .toTable({ name: 't', ...strings })
        .toStream()
        .to('out', strings),
    );
    const { outputs, counters } = await run(topology, [
      ['in', null, 'q', 1_000],
      ['in', 'a', 'p', 2_000],
    ]);
    expect(outputs).toEqual([[['a', 'p', 2_000]]]);
    expect(counters.skippedNullKeys).toBe(1);
  });

  it('table.groupBy: a row mapped to a null key is neither added nor subtracted', async () => {
    const topology = build((b) =>
      b
        .table<string, string>('in', { ...strings, name: 't' })
        .groupBy(
          (k, v): KeyValue<string | null, string> => ({ key: v === 'none' ? null : v, value: k }),
          strings,
        )
        .count({ name: 'c' })
        .toStream()
        .mapValues((n) => String(n))
        .to('out', strings),
    );
    const { outputs, counters } = await run(topology, [
      ['in', 'k1', 'x', 1_000],
      ['in', 'k2', 'none', 2_000],
      ['in', 'k1', 'none', 3_000],
      ['in', 'k2', 'x', 4_000],
    ]);
    expect(outputs).toEqual([
      [
        ['x', '1', 1_000],
        ['x', '0', 3_000],
        ['x', '1', 4_000],
      ],
    ]);
    // k2's add (2 s), k1's new row (3 s) and k2's old row (4 s) map to a null key.
    expect(counters).toEqual({ skippedNullKeys: 3, skippedNullValues: 0, processingErrors: 0 });
  });

  it('stream-table joins drop a null stream value; a null stream key is a miss for leftJoin', async () => {
    const topology = build((b) => {
      const t = b.table<string, string>('table', { ...strings, name: 't' });
      const s = b.stream<string, string>('in', strings);
      s.join(t, (v, tv) => `${v}*${tv}`).to('out-inner', strings);
      s.leftJoin(t, (v, tv) => `${v}*${str(tv)}`).to('out-left', strings);
    });
    const { outputs, counters } = await run(
      topology,
      [
        ['table', 'a', 'T1', 1_000],
        ['in', 'a', 'x', 2_000],
        ['in', 'a', null, 3_000],
        ['in', null, 'y', 4_000],
      ],
      ['out-inner', 'out-left'],
    );
    expect(outputs).toEqual([
      [['a', 'x*T1', 2_000]],
      [
        ['a', 'x*T1', 2_000],
        [null, 'y*null', 4_000],
      ],
    ]);
    // Both joins skip the null value; only the inner one skips the null key.
    expect(counters).toEqual({ skippedNullKeys: 1, skippedNullValues: 2, processingErrors: 0 });
  });

  it('global-table joins read only the mapped key: a null record key still joins, a null mapped key is a miss', async () => {
    const topology = build((b) => {
      const g = b.globalTable<string | null, string>('global', { ...strings, name: 'g' });
      const s = b.stream<string, string>('in', strings);
      const mapper = (_k: string, v: string) => (v === 'none' ? null : v);
      s.joinGlobal(g, mapper, (v, gv) => `${v}*${gv}`).to('out-inner', strings);
      s.leftJoinGlobal(g, mapper, (v, gv) => `${v}*${str(gv)}`).to('out-left', strings);
    });
    const { outputs } = await run(
      topology,
      [
        ['global', 'a', 'G1', 1_000],
        ['in', null, 'a', 2_000],
        ['in', 'k', 'none', 3_000],
        ['in', 'k', null, 4_000],
      ],
      ['out-inner', 'out-left'],
    );
    expect(outputs).toEqual([
      [[null, 'a*G1', 2_000]],
      [
        [null, 'a*G1', 2_000],
        ['k', 'none*null', 3_000],
      ],
    ]);
  });

  it('logs skipped records at most once a minute of the task clock, with where the last one came from', async () => {
    const warnings: [string, LogFields | undefined][] = [];
    const logger: Logger = { ...silentLogger, warn: (msg, fields) => warnings.push([msg, fields]) };
    logger.child = () => logger;
    const topology = build((b) => b.stream<string, string>('in', strings).groupByKey().count({ name: 'c' }));
    const driver = await TopologyTestDriver.create(topology, { logger, initialWallClockMs: 0 });
    const input = driver.createInputTopic<string | null, string | null>(
      'in',
      Serdes.string(),
      Serdes.string(),
    );
    await input.pipeInput(null, 'x', 1_000);
    await input.pipeInput('a', null, 2_000);
    expect(warnings.map(([m]) => m)).toEqual(['records skipped for a null key or value']);
    await driver.advanceWallClockTime(60_000);
    await input.pipeInput('a', null, 3_000);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.[1]).toMatchObject({
      reason: 'nullValue',
      skippedNullKeys: 1,
      skippedNullValues: 2,
      offset: '2',
    });
    await driver.close();
  });
});
