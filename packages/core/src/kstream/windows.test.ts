import { describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../logger.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Windowed } from '../windowed.js';
import { StreamsBuilder } from './streams-builder.js';
import { TimeWindows } from './windows.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 10, 6, 12, 30, 0); // a minute boundary

/** A windowed count whose late records nobody routes, so the task counts and logs them. */
function countWithoutLateRoute() {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', { valueSerde: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(MIN))
    .count({ name: 'c' });
  return b.build();
}

type Result = { key: string; start: number; end: number; value: number };

async function windowedCount(
  opts: { graceMs?: number; idleTimeoutMs?: number; emit?: 'final' | 'update'; advanceMs?: number } = {},
) {
  const b = new StreamsBuilder();
  let windows = TimeWindows.ofSizeAndGrace(MIN, opts.graceMs ?? 0);
  if (opts.advanceMs) windows = windows.advanceBy(opts.advanceMs);
  const counted = b
    .stream<string, string>('in', { valueSerde: Serdes.string() })
    .groupByKey()
    .windowedBy(windows)
    .count({
      name: 'per-minute',
      ...(opts.emit ? { emit: opts.emit } : {}),
      ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
  counted
    .toStream()
    .map((w: Windowed<string>, n) => ({ key: w.key, value: { start: w.window.start, end: w.window.end, n } }))
    .to('out');
  counted.lateRecords().to('late', { valueSerde: Serdes.string() as never });
  const driver = await TopologyTestDriver.create(b.build(), { initialWallClockMs: 1_000_000 });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic<string, { start: number; end: number; n: number }>('out');
  const read = (): Result[] =>
    out
      .readKeyValuesToList()
      .map((r) => ({ key: r.key, start: r.value.start, end: r.value.end, value: r.value.n }));
  const late = () => driver.createOutputTopic('late', Serdes.string(), Serdes.string()).readKeyValuesToList();
  return { driver, input, read, late };
}

describe('tumbling windows', () => {
  it('start is inclusive, end exclusive; the final result is emitted once when stream time passes the end', async () => {
    const { input, read } = await windowedCount();
    await input.pipeInput('a', 'x', T0); // [T0, T0+1m)
    await input.pipeInput('a', 'x', T0 + MIN - 1); // same window: its last millisecond
    expect(read()).toEqual([]); // still open
    await input.pipeInput('a', 'x', T0 + MIN); // next window; closes the first (grace 0)
    expect(read()).toEqual([{ key: 'a', start: T0, end: T0 + MIN, value: 2 }]);
    await input.pipeInput('b', 'x', T0 + 2 * MIN + 5);
    expect(read()).toEqual([{ key: 'a', start: T0 + MIN, end: T0 + 2 * MIN, value: 1 }]);
  });

  it('accepts out-of-order records within grace and sends later ones to the late output', async () => {
    const { input, read, late } = await windowedCount({ graceMs: 10_000 });
    await input.pipeInput('a', 'on-time', T0 + 30_000);
    await input.pipeInput('a', 'next-minute', T0 + MIN + 5_000); // stream time T0+65s; first window open until T0+70s
    await input.pipeInput('a', 'in-grace', T0 + 59_000); // late but within grace
    expect(read()).toEqual([]);
    await input.pipeInput('a', 'closer', T0 + MIN + 10_000); // stream time = end + grace: closes
    expect(read()).toEqual([{ key: 'a', start: T0, end: T0 + MIN, value: 2 }]);
    await input.pipeInput('a', 'too-late', T0 + 1_000);
    expect(late()).toEqual([{ key: 'a', value: 'too-late' }]);
    expect(read()).toEqual([]);
  });

  it('emit "update" forwards every change like Kafka Streams\' default', async () => {
    const { input, read } = await windowedCount({ emit: 'update' });
    await input.pipeInput('a', 'x', T0);
    await input.pipeInput('a', 'x', T0 + 1);
    expect(read().map((r) => r.value)).toEqual([1, 2]);
  });

  it('idle close emits the last windows after wall-clock inactivity; later records for them are late', async () => {
    const { driver, input, read, late } = await windowedCount({ idleTimeoutMs: 5_000 });
    await input.pipeInput('a', 'x', T0 + 10);
    await input.pipeInput('b', 'x', T0 + 20);
    await driver.advanceWallClockTime(2_000);
    expect(read()).toEqual([]);
    await driver.advanceWallClockTime(4_000);
    expect(read()).toEqual([
      { key: 'a', start: T0, end: T0 + MIN, value: 1 },
      { key: 'b', start: T0, end: T0 + MIN, value: 1 },
    ]);
    await input.pipeInput('a', 'after-idle-close', T0 + 30);
    expect(late()).toHaveLength(1);
    await input.pipeInput('a', 'x', T0 + MIN + 1); // a new window still works
    await driver.advanceWallClockTime(6_000);
    expect(read()).toEqual([{ key: 'a', start: T0 + MIN, end: T0 + 2 * MIN, value: 1 }]);
  });

  it('unrouted late records are counted, not silently lost', async () => {
    const driver = await TopologyTestDriver.create(countWithoutLateRoute());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('a', 'x', T0 + 2 * MIN);
    await input.pipeInput('a', 'x', T0);
    expect(driver.lateRecordsUnrouted()).toBe(1);
  });

  it('logs unrouted late records at most once a minute of the task clock', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (msg) => warnings.push(msg) };
    logger.child = () => logger;
    const driver = await TopologyTestDriver.create(countWithoutLateRoute(), { logger });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('a', 'x', T0 + 2 * MIN);
    await input.pipeInput('a', 'x', T0);
    await input.pipeInput('a', 'x', T0);
    expect(warnings).toHaveLength(1);
    // Only the driver's clock moves: a wall-clock (Date.now) throttle would still be silent here.
    await driver.advanceWallClockTime(MIN);
    await input.pipeInput('a', 'x', T0);
    expect(warnings).toHaveLength(2);
    expect(driver.lateRecordsUnrouted()).toBe(3);
  });

  it('hopping windows put a record into every window that contains it', async () => {
    const { input, read } = await windowedCount({ emit: 'update', advanceMs: 30_000 });
    await input.pipeInput('a', 'x', T0 + 45_000);
    expect(read().map((r) => [r.start - T0, r.end - T0])).toEqual([
      [0, MIN],
      [30_000, 30_000 + MIN],
    ]);
  });

  it('windows before 1970 are aligned with floor division', () => {
    expect(TimeWindows.ofSizeWithNoGrace(MIN).windowStartsFor(-1)).toEqual([-MIN]);
    expect(TimeWindows.ofSizeWithNoGrace(MIN).windowStartsFor(0)).toEqual([0]);
  });

  it('windowed aggregate keeps the average state per key and window', async () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(MIN))
      .aggregate(
        () => ({ n: 0, sum: 0 }),
        (_k, v, a) => ({ n: a.n + 1, sum: a.sum + v }),
        { name: 'avg' },
      )
      .toStream()
      .mapValues((a) => a.sum / a.n)
      .selectKey((w) => `${w.key}@${w.window.start - T0}`)
      .to('avg');
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic<string, number>('in');
    await input.pipeInput('c1', 2, T0 + 1);
    await input.pipeInput('c1', 4, T0 + 2);
    await input.pipeInput('c2', 10, T0 + 3);
    await input.pipeInput('c1', 100, T0 + MIN);
    expect(driver.createOutputTopic<string, number>('avg').readKeyValuesToList()).toEqual([
      { key: 'c1@0', value: 3 },
      { key: 'c2@0', value: 10 },
    ]);
    // Emitted windows are removed; the open one is still in the store.
    const store = driver.getWindowStore<string, { n: number; sum: number }>('avg');
    expect(store.fetch('c1', T0)).toBeUndefined();
    expect(store.fetch('c1', T0 + MIN)).toEqual({ n: 1, sum: 100 });
  });
});
