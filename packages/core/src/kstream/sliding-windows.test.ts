import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Windowed } from '../windowed.js';
import { windowedJsonSerde } from './internal-serdes.js';
import { SlidingWindows } from './sliding-windows.js';
import { StreamsBuilder } from './streams-builder.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

interface Setup {
  emit: 'final' | 'update';
  graceMs?: number;
  idleTimeoutMs?: number;
  changelog?: InMemoryChangelog;
  eventTime?: 'watermark' | 'stream-time';
}

/** A sliding count (diff 10 s) rendered as `key@start/end` -> count, plus its late records. */
async function drive({ emit, graceMs = 0, idleTimeoutMs, changelog, eventTime }: Setup) {
  const b = new StreamsBuilder();
  const counted = b
    .stream<string, string>('in', strings)
    .groupByKey()
    .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, graceMs))
    .count({ name: 'sliding', emit, ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }) });
  counted
    .toStream()
    .map((w, n) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: String(n) }))
    .to('out', strings);
  counted.lateRecords().to('late', strings as never);
  const driver = await TopologyTestDriver.create(b.build(), {
    initialWallClockMs: 0,
    ...(changelog ? { changelog } : {}),
    ...(eventTime ? { eventTime } : {}),
  });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const late = driver.createOutputTopic('late', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  const readLate = () => late.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, input, read, readLate };
}

describe('sliding windows', () => {
  it('a record makes its left window, the right window of the record before, and its own right window', async () => {
    const { input, read } = await drive({ emit: 'update', graceMs: 10_000 });
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput('a', 'x', 104_000);
    expect(read()).toEqual([
      ['a@90000/100000', '1', 100_000],
      ['a@100001/110001', '1', 104_000], // right window of 100 s: holds 104 s
      ['a@94000/104000', '2', 104_000], // left window of 104 s, seeded with 100 s
    ]);
    await input.pipeInput('a', 'x', 102_000); // between them: updates both, gets a right window
    expect(read()).toEqual([
      ['a@100001/110001', '2', 104_000],
      ['a@94000/104000', '3', 104_000],
      ['a@92000/102000', '2', 102_000],
      ['a@102001/112001', '1', 104_000], // a copy of the later records, stamped with the newest
    ]);
  });

  it('windows are inclusive: 10 s apart share a window, 10.001 s apart do not', async () => {
    const { input, read } = await drive({ emit: 'update', graceMs: 20_000 });
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput('a', 'x', 110_000);
    await input.pipeInput('b', 'x', 100_000);
    await input.pipeInput('b', 'x', 110_001);
    expect(read()).toEqual([
      ['a@90000/100000', '1', 100_000],
      ['a@100001/110001', '1', 110_000],
      ['a@100000/110000', '2', 110_000],
      ['b@90000/100000', '1', 100_000],
      // Only 110.001 s's left window: 100 s is in no window [100.001, 110.001] could copy from.
      ['b@100001/110001', '1', 110_001],
    ]);
  });

  it("skips null keys and null values; under 'stream-time' they do not move the clock (Kafka Streams)", async () => {
    const { input, read, readLate } = await drive({ emit: 'update', eventTime: 'stream-time' });
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput(null as never, 'x', 500_000);
    await input.pipeInput('a', null as never, 500_000);
    await input.pipeInput('a', 'x', 95_000); // stream time still 100 s: on time for [90, 100]
    expect(read()).toEqual([
      ['a@90000/100000', '1', 100_000],
      ['a@90000/100000', '2', 100_000],
      ['a@95001/105001', '1', 100_000],
    ]);
    expect(readLate()).toEqual([['a', 'x', 95_000]]); // its own left window [85, 95] had closed
  });

  it('under watermarks the task clock counts every record read, also those the aggregate skips', async () => {
    const { input, read, readLate } = await drive({ emit: 'update' });
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput('a', null as never, 500_000); // skipped, but the partition's watermark is 500 s
    await input.pipeInput('a', 'x', 95_000);
    expect(read()).toEqual([['a@90000/100000', '1', 100_000]]);
    expect(readLate()).toEqual([['a', 'x', 95_000]]); // 95 + 10 < 500: dropped whole
  });

  it('grace boundary: late records go to the late output; one still within diff updates open windows', async () => {
    const { input, read, readLate } = await drive({ emit: 'update', graceMs: 2_000 });
    await input.pipeInput('a', 'x', 40_000);
    await input.pipeInput('a', 'x', 50_000); // close time 48 s
    read();
    await input.pipeInput('b', 'x', 38_000); // 38 + 10 = close time: accepted, but its only window closed
    await input.pipeInput('c', 'x', 37_999); // dropped
    await input.pipeInput('a', 'x', 48_000); // its left window [38, 48] ends at the close time: open
    expect(read()).toEqual([
      ['a@40001/50001', '2', 50_000],
      ['a@40000/50000', '3', 50_000],
      ['a@38000/48000', '2', 48_000],
      ['a@48001/58001', '1', 50_000],
    ]);
    expect(readLate()).toEqual([
      ['b', 'x', 38_000],
      ['c', 'x', 37_999],
    ]);
    await input.pipeInput('a', 'x', 47_000); // left window [37, 47] closed: updates the rest, and is late
    expect(read()).toEqual([
      ['a@40001/50001', '3', 50_000],
      ['a@40000/50000', '4', 50_000],
      ['a@38000/48000', '3', 48_000],
      ['a@47001/57001', '2', 50_000],
    ]);
    expect(readLate()).toEqual([['a', 'x', 47_000]]);
  });

  it('emit final under watermarks: a watermark move that brings no record here still closes windows', async () => {
    const { input, read } = await drive({ emit: 'final' });
    await input.pipeInput('a', 'x', 100_000);
    expect(read()).toEqual([]);
    await input.pipeInput('b', null as never, 120_000); // skipped by the aggregate, moves the watermark
    expect(read()).toEqual([['a@90000/100000', '1', 100_000]]);
  });

  it('counts late records when nothing routes them', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings)
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000))
      .count({ name: 'sliding' });
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput('a', 'x', 95_000); // left window closed, still updates [90, 100]
    await input.pipeInput('a', 'x', 80_000); // dropped whole
    expect(driver.lateRecordsUnrouted()).toBe(2);
    await driver.close();
  });

  it('emit final: each window once, stamped with its newest record; emitted windows still seed new ones', async () => {
    const { input, read, readLate } = await drive({ emit: 'final' });
    await input.pipeInput('a', 'x', 100_000);
    await input.pipeInput('b', 'x', 108_000); // close time 108 s: [90, 100] is final
    expect(read()).toEqual([['a@90000/100000', '1', 100_000]]);
    // 100 s is within 10 s of 109 s: the emitted [90, 100] seeds the left window [99, 109].
    await input.pipeInput('a', 'x', 109_000);
    expect(read()).toEqual([['b@98000/108000', '1', 108_000]]);
    await input.pipeInput('z', 'x', 200_000);
    expect(read()).toEqual([
      ['a@99000/109000', '2', 109_000],
      ['a@100001/110001', '1', 109_000],
    ]);
    await input.pipeInput('a', 'late', 189_999);
    expect(readLate()).toEqual([['a', 'late', 189_999]]);
    expect(read()).toEqual([]);
  });

  it('idle close emits the open windows of a quiet stream; older records are late afterwards', async () => {
    const { driver, input, read, readLate } = await drive({ emit: 'final', idleTimeoutMs: 1_000 });
    await input.pipeInput('a', 'x', 100_000);
    expect(read()).toEqual([]);
    await driver.advanceWallClockTime(2_000);
    expect(read()).toEqual([['a@90000/100000', '1', 100_000]]);
    await input.pipeInput('a', 'old', 89_999); // 89.999 + 10 < 100.001, the idle close time
    expect(readLate()).toEqual([['a', 'old', 89_999]]);
    await input.pipeInput('a', 'x', 101_000);
    await driver.advanceWallClockTime(2_000);
    expect(read()).toEqual([
      ['a@91000/101000', '2', 101_000],
      ['a@100001/110001', '1', 101_000],
    ]);
  });

  it('restores windows, stream time and the emit watermark from the changelog', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive({ emit: 'final', changelog });
    await first.input.pipeInput('a', 'x', 100_000);
    await first.input.pipeInput('a', 'x', 104_000);
    expect(first.read()).toEqual([['a@90000/100000', '1', 100_000]]);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive({ emit: 'final', changelog });
    await second.input.pipeInput('a', 'x', 111_000); // seeded from the restored [100.001, 110.001]
    expect(second.read()).toEqual([
      ['a@94000/104000', '2', 104_000],
      ['a@100001/110001', '1', 104_000],
    ]);
    await second.input.pipeInput('z', 'x', 125_000);
    expect(second.read()).toEqual([
      ['a@101000/111000', '2', 111_000],
      ['a@104001/114001', '1', 111_000],
    ]);
    await second.input.pipeInput('c', 'old', 100_000); // late against the restored stream time
    expect(second.readLate()).toEqual([['c', 'old', 100_000]]);
  });

  it('reduce and aggregate keep record order in copied windows, with a string value serde', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream<string, string>('in', strings).groupByKey();
    const windows = SlidingWindows.ofTimeDifferenceAndGrace(10_000, 10_000);
    const render = (w: { key: string; window: { start: number; end: number } }) =>
      `${w.key}@${w.window.start}/${w.window.end}`;
    grouped
      .windowedBy(windows)
      .reduce((a, v) => `${a}${v}`, { name: 'reduced', emit: 'update', valueSerde: Serdes.string() })
      .toStream()
      .map((w, v) => ({ key: render(w), value: v }))
      .to('reduced', strings);
    grouped
      .windowedBy(windows)
      .aggregate(
        () => '',
        (_k, v, a) => `${a}${v}`,
        { name: 'agg', emit: 'update', valueSerde: Serdes.string() },
      )
      .toStream()
      .map((w, v) => ({ key: render(w), value: v }))
      .to('agg', strings);
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('a', 'p', 100_000);
    await input.pipeInput('a', 'q', 105_000);
    await input.pipeInput('a', 'r', 103_000);
    const expected = [
      ['a@90000/100000', 'p'],
      ['a@100001/110001', 'q'],
      ['a@95000/105000', 'pq'],
      ['a@100001/110001', 'qr'],
      ['a@95000/105000', 'pqr'],
      ['a@93000/103000', 'pr'],
      ['a@103001/113001', 'q'],
    ];
    for (const topic of ['reduced', 'agg']) {
      const out = driver.createOutputTopic(topic, Serdes.string(), Serdes.string());
      expect(out.readRecordsToList().map((r) => [r.key, r.value])).toEqual(expected);
    }
    await driver.close();
  });

  it('a stream joins the windowed table by (key, window start), reading the aggregate out of the stored pair', async () => {
    const b = new StreamsBuilder();
    const counts = b
      .stream<string, string>('in', strings)
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000))
      .count({ name: 'sliding', emit: 'update' });
    b.stream<Windowed<string>, string>('probe', {
      keySerde: windowedJsonSerde<string>(),
      valueSerde: Serdes.string(),
    })
      .leftJoin(counts, (v, n) => `${v}=${n ?? 'none'}`)
      .to('joined', { keySerde: windowedJsonSerde<string>(), valueSerde: Serdes.string() });
    const driver = await TopologyTestDriver.create(b.build());
    await driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('a', 'x', 100_000);
    await driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('a', 'x', 104_000);
    const probe = driver.createInputTopic('probe', windowedJsonSerde<string>(), Serdes.string());
    await probe.pipeInput({ key: 'a', window: { start: 94_000, end: 104_000 } }, 'left', 104_000);
    await probe.pipeInput({ key: 'a', window: { start: 100_001, end: 110_001 } }, 'right', 104_000);
    await probe.pipeInput({ key: 'a', window: { start: 95_000, end: 105_000 } }, 'absent', 104_000);
    const out = driver.createOutputTopic('joined', windowedJsonSerde<string>(), Serdes.string());
    expect(out.readRecordsToList().map((r) => r.value)).toEqual(['left=2', 'right=1', 'absent=none']);
    await driver.close();
  });

  it('rejects a negative or fractional time difference or grace, and allows a zero difference', () => {
    for (const bad of [
      () => SlidingWindows.ofTimeDifferenceWithNoGrace(-1),
      () => SlidingWindows.ofTimeDifferenceWithNoGrace(1.5),
      () => SlidingWindows.ofTimeDifferenceAndGrace(1_000, -1),
      () => SlidingWindows.ofTimeDifferenceAndGrace(1_000, Number.NaN),
    ]) {
      expect(bad).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      try {
        bad();
      } catch (e) {
        expect(isTributaryError(e)).toBe(true);
      }
    }
    expect(SlidingWindows.ofTimeDifferenceWithNoGrace(0).timeDifferenceMs).toBe(0);
  });
});
