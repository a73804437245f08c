import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import type { ProcessorContext, PunctuationType } from '../../processor/processor.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { PunctuationQueue } from './punctuation.js';

/** When punctuators fire, as measured against Kafka Streams 4.1 (fixtures punctuate-*). */
function queue(type: PunctuationType, scheduledAt = 0) {
  const q = new PunctuationQueue();
  const calls: number[] = [];
  const handle = q.schedule(10_000, type, (t) => void calls.push(t), scheduledAt);
  const at = (...times: number[]) => {
    for (const t of times) q.fire(type, t, []);
    return calls;
  };
  return { at, handle };
}

describe('PunctuationQueue', () => {
  it('stream time: fires on the first stream time, then at each multiple of the interval it reaches', () => {
    const { at } = queue('stream-time');
    // 11 000 after 12 000 is out of order (the task passes the unchanged stream time again).
    expect(at(1_000, 5_000, 12_000, 12_000, 35_000, 40_000, 40_500, 49_999)).toEqual([
      1_000, 12_000, 35_000, 40_000,
    ]);
  });

  it('stream time: a first stream time of 0 fires too', () => {
    expect(queue('stream-time').at(0, 9_999, 10_000)).toEqual([0, 10_000]);
  });

  it('wall clock: counts intervals from when it was scheduled and skips the ones it missed', () => {
    const { at } = queue('wall-clock', 1_500);
    expect(at(6_500, 11_500, 21_499, 21_500, 46_500, 51_500)).toEqual([11_500, 21_500, 46_500, 51_500]);
  });

  it('a cancelled punctuator no longer fires', () => {
    const { at, handle } = queue('wall-clock');
    at(10_000);
    handle.cancel();
    expect(at(20_000, 30_000)).toEqual([10_000]);
  });

  it('rejects an interval that is not positive', () => {
    expect(() => new PunctuationQueue().schedule(0, 'wall-clock', () => {}, 0)).toThrow(RangeError);
  });
});

describe('punctuation in a task', () => {
  async function ticker(type: PunctuationType, initialWallClockMs: number) {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .process(
        () => ({
          init(ctx: ProcessorContext<string, string>) {
            ctx.schedule(10_000, type, (t) =>
              ctx.forward({ key: 'tick', value: String(t), timestamp: t, headers: {} }),
            );
          },
          process() {},
        }),
        { name: 'ticker' },
      )
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    const driver = await TopologyTestDriver.create(b.build(), { initialWallClockMs });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    const ticks = () => out.readRecordsToList().map((r) => [r.value, r.timestamp]);
    return { driver, input, ticks };
  }

  it('stream time fires after the record that moved stream time, with that stream time', async () => {
    const { input, ticks, driver } = await ticker('stream-time', 0);
    for (const ts of [1_000, 5_000, 12_000, 11_000, 35_000]) await input.pipeInput('a', 'x', ts);
    expect(ticks()).toEqual([
      ['1000', 1_000],
      ['12000', 12_000],
      ['35000', 35_000],
    ]);
    await driver.advanceWallClockTime(60_000); // wall-clock time does not move stream time
    expect(ticks()).toEqual([]);
  });

  it('wall clock fires at most once per advance, on the grid of its scheduling time', async () => {
    const { input, ticks, driver } = await ticker('wall-clock', 1_500);
    await driver.advanceWallClockTime(9_999);
    await input.pipeInput('a', 'x', 100_000); // records do not move wall-clock time
    expect(ticks()).toEqual([]);
    await driver.advanceWallClockTime(1);
    await driver.advanceWallClockTime(35_000);
    await driver.advanceWallClockTime(5_000);
    expect(ticks()).toEqual([
      ['11500', 11_500],
      ['46500', 46_500],
      ['51500', 51_500],
    ]);
  });
});
