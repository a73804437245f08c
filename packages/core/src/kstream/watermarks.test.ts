import { describe, expect, it } from 'vitest';
import { newErrorCounters } from '../internal/runtime/error-policy.js';
import type { EventTimeMode } from '../processor/processor.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Windowed } from '../windowed.js';
import { JoinWindows } from './join-windows.js';
import { StreamsBuilder } from './streams-builder.js';
import { TimeWindows } from './windows.js';

const S = 1_000;
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

/** Per-10-second counts (grace 0, emit final), optionally re-keyed first (a repartition topic). */
function countsTopology(opts: { rekey?: boolean; topics?: string[] } = {}) {
  const b = new StreamsBuilder();
  let stream = b.stream<string, string>(opts.topics ?? 'in', strings);
  if (opts.rekey) stream = stream.selectKey((_k, v) => v.split(':')[0] as string, { name: 'rekey' });
  const counted = stream
    .groupByKey({ keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10 * S))
    .count({ name: 'counts', emit: 'final' });
  counted
    .toStream()
    .map((w: Windowed<string>, n) => ({ key: `${w.key}@${w.window.start}`, value: String(n) }))
    .to('out', strings);
  counted.lateRecords().to('late', strings);
  return b.build();
}

async function driverFor(
  topology: ReturnType<typeof countsTopology>,
  eventTime: EventTimeMode,
  partitions: number,
) {
  const driver = await TopologyTestDriver.create(topology, { partitions, eventTime, partitionIdleMs: 5 * S });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const late = driver.createOutputTopic('late', Serdes.string(), Serdes.string());
  return { driver, input, out, late };
}

describe('event-time watermarks (TopologyTestDriver with several partitions)', () => {
  it('one input read ahead of another makes nothing late; windows close when the slower passes', async () => {
    const { driver, out, late } = await driverFor(countsTopology({ topics: ['in', 'in2'] }), 'watermark', 1);
    const fast = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const slow = driver.createInputTopic('in2', Serdes.string(), Serdes.string());
    // Topic "in" first, all of it (a backlog fetched early), then "in2" from the start.
    await fast.pipeInput('a', 'x', 1 * S);
    await fast.pipeInput('a', 'x', 12 * S);
    await fast.pipeInput('a', 'x', 25 * S);
    expect(out.readKeyValuesToList()).toEqual([]); // "in2" has said nothing: no window closes
    await slow.pipeInput('a', 'y', 2 * S);
    expect(out.readKeyValuesToList()).toEqual([]); // watermark min(25 s, 2 s) = 2 s
    await slow.pipeInput('a', 'y', 15 * S); // watermark 15 s: [0, 10 s) closes
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a@0', value: '2' }]);
    await slow.pipeInput('a', 'y', 31 * S); // watermark 25 s: [10 s, 20 s) closes
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a@10000', value: '2' }]);
    expect(late.readKeyValuesToList()).toEqual([]);
    await driver.close();
  });

  it("the same order under eventTime 'stream-time' (Kafka Streams) makes the slower input's records late", async () => {
    const { driver, out, late } = await driverFor(
      countsTopology({ topics: ['in', 'in2'] }),
      'stream-time',
      1,
    );
    const fast = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const slow = driver.createInputTopic('in2', Serdes.string(), Serdes.string());
    await fast.pipeInput('a', 'x', 1 * S);
    await fast.pipeInput('a', 'x', 25 * S);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a@0', value: '1' }]);
    await slow.pipeInput('a', 'y', 2 * S);
    await slow.pipeInput('a', 'y', 15 * S);
    expect(late.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'y' },
      { key: 'a', value: 'y' },
    ]);
    await driver.close();
  });

  it('across a repartition topic, the downstream clock is the minimum over all upstream tasks', async () => {
    const { driver, input, out, late } = await driverFor(countsTopology({ rekey: true }), 'watermark', 2);
    // Both upstream tasks write key "k" (one downstream partition); upstream task 0 runs ahead.
    await input.inPartition(0).pipeInput('x', 'k:0', 1 * S);
    await input.inPartition(0).pipeInput('x', 'k:0', 40 * S);
    expect(out.readKeyValuesToList()).toEqual([]);
    await input.inPartition(1).pipeInput('y', 'k:1', 3 * S); // would be late under stream time
    await input.inPartition(1).pipeInput('y', 'k:1', 21 * S); // min(40, 21) = 21 s
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k@0', value: '2' }]);
    expect(late.readKeyValuesToList()).toEqual([]);
    await driver.close();
  });

  it('under stream-time the repartitioned records of the slower upstream task are late', async () => {
    const { driver, input, out, late } = await driverFor(countsTopology({ rekey: true }), 'stream-time', 2);
    await input.inPartition(0).pipeInput('x', 'k:0', 1 * S);
    await input.inPartition(0).pipeInput('x', 'k:0', 40 * S);
    await input.inPartition(1).pipeInput('y', 'k:1', 3 * S);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k@0', value: '1' }]);
    expect(late.readKeyValuesToList()).toEqual([{ key: 'k', value: 'k:1' }]);
    await driver.close();
  });

  it('an idle upstream partition stops holding the watermark after partitionIdleMs, and holds it again on its next record', async () => {
    const { driver, input, out, late } = await driverFor(countsTopology({ rekey: true }), 'watermark', 2);
    const p0 = input.inPartition(0);
    await p0.pipeInput('x', 'k:0', 1 * S);
    await p0.pipeInput('x', 'k:0', 12 * S);
    await driver.advanceWallClockTime(4 * S);
    expect(out.readKeyValuesToList()).toEqual([]); // partition 1 not idle for 5 s yet
    await p0.pipeInput('x', 'k:0', 14 * S); // keeps partition 0 active
    await driver.advanceWallClockTime(1 * S); // partition 1 is idle now: its task says so
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k@0', value: '1' }]); // watermark 14 s
    await p0.pipeInput('x', 'k:0', 23 * S); // watermark 23 s
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k@10000', value: '2' }]);
    // Partition 1 wakes up with an old record: late (older than the watermark minus grace), and it
    // holds the watermark again.
    await input.inPartition(1).pipeInput('y', 'k:1', 5 * S);
    expect(late.readKeyValuesToList()).toEqual([{ key: 'k', value: 'k:1' }]);
    await p0.pipeInput('x', 'k:0', 45 * S);
    expect(out.readKeyValuesToList()).toEqual([]); // held: min(45 s, 5 s) is behind 23 s
    await input.inPartition(1).pipeInput('y', 'k:1', 33 * S); // min(45, 33) = 33 s
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k@20000', value: '1' }]);
    await driver.close();
  });

  it('stream-time punctuation fires on the watermark', async () => {
    const fired: number[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>(['in', 'in2'], strings).process(
      () => ({
        init(ctx) {
          ctx.schedule(10 * S, 'stream-time', (t) => {
            fired.push(t);
          });
        },
        process() {},
      }),
      { name: 'timer' },
    );
    const driver = await TopologyTestDriver.create(b.build());
    await driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('a', 'x', 30 * S);
    expect(fired).toEqual([]); // "in2" holds the watermark at -infinity
    await driver.createInputTopic('in2', Serdes.string(), Serdes.string()).pipeInput('b', 'x', 25 * S);
    // The watermark went from -infinity to 25 s in one step; it never was 30 s.
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.at(-1)).toBe(25 * S);
    await driver.close();
  });

  it('a stream-stream left join emits unmatched records when the watermark of both inputs passes', async () => {
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('left', strings);
    const right = b.stream<string, string>('right', strings);
    left
      .leftJoin(right, (l, r) => `${l}+${r ?? 'none'}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), {
        name: 'j',
      })
      .to('out', strings);
    const driver = await TopologyTestDriver.create(b.build());
    const l = driver.createInputTopic('left', Serdes.string(), Serdes.string());
    const r = driver.createInputTopic('right', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    await l.pipeInput('a', 'L1', 1_000);
    await l.pipeInput('b', 'L2', 5_000); // stream time alone would close L1's window here
    expect(out.readRecordsToList()).toEqual([]);
    await r.pipeInput('a', 'R1', 1_050); // joins L1 (Kafka Streams would have emitted L1+none)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 'L1+R1' }]);
    await r.pipeInput('c', 'R2', 5_200); // watermark min(5000, 5200) = 5000: nothing due
    await l.pipeInput('d', 'L3', 5_300); // watermark 5200: L2's window (5100) is behind it
    expect(out.readRecordsToList().map((x) => [x.key, x.value, x.timestamp])).toEqual([
      ['b', 'L2+none', 5_000],
    ]);
    await driver.close();
  });

  it('watermark records never reach processors or output topics', async () => {
    const { driver, input, out, late } = await driverFor(countsTopology({ rekey: true }), 'watermark', 3);
    for (let i = 0; i < 30; i++) await input.inPartition(i % 3).pipeInput(`k${i}`, `g${i % 4}:${i}`, i * S);
    // Upstream maxima 27, 28, 29 s: the watermark downstream is 27 s, so two windows closed.
    const rows = out.readKeyValuesToList().sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(rows).toEqual([
      { key: 'g0@0', value: '3' },
      { key: 'g0@10000', value: '2' },
      { key: 'g1@0', value: '3' },
      { key: 'g1@10000', value: '2' },
      { key: 'g2@0', value: '2' },
      { key: 'g2@10000', value: '3' },
      { key: 'g3@0', value: '2' },
      { key: 'g3@10000', value: '3' },
    ]);
    expect(late.readKeyValuesToList()).toEqual([]);
    expect(driver.errorCounters()).toEqual(newErrorCounters());
    await driver.close();
  });
});
