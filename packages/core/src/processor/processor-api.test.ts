import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { Stores } from '../kstream/stores.js';
import { StreamsBuilder } from '../kstream/streams-builder.js';
import type { StreamRecord } from '../record.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStore } from '../state/store.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Processor, ProcessorContext } from './processor.js';

/** Dedupes by key within a store and flushes a summary on punctuation. */
class DedupProcessor implements Processor<string, string, string, string> {
  private ctx!: ProcessorContext<string, string>;
  private seen!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, string>): void {
    this.ctx = ctx;
    this.seen = ctx.getStateStore('seen');
    ctx.schedule(1000, 'stream-time', (ts) =>
      ctx.forward({ key: 'tick-stream', value: String(ts), timestamp: ts, headers: {} }),
    );
    ctx.schedule(5000, 'wall-clock', (now) =>
      ctx.forward({ key: 'tick-wall', value: String(now), timestamp: now, headers: {} }),
    );
  }
  process(r: StreamRecord<string, string>): void {
    if (this.seen.get(r.key) !== undefined) return;
    this.seen.put(r.key, r.timestamp);
    this.ctx.forward({ ...r, value: `${r.value}@${this.ctx.recordMetadata?.offset}` });
  }
}

describe('processor API', () => {
  it('gives processors their stores, record metadata and both kinds of punctuation', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValue({ name: 'seen', keySerde: Serdes.string() }));
    b.stream<string, string>('in', { valueSerde: Serdes.string() })
      .process(() => new DedupProcessor(), { name: 'dedup', stores: ['seen'] })
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    const driver = await TopologyTestDriver.create(b.build(), { initialWallClockMs: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    // As Kafka Streams: a stream-time punctuator fires on the first record, then at each multiple
    // of its interval that stream time reaches (called with the stream time that reached it).
    await input.pipeInput('a', 'x', 100);
    await input.pipeInput('a', 'y', 200);
    await input.pipeInput('b', 'z', 1500); // stream time crosses 100 + 1000
    // As Kafka Streams: the first stream-time fire is at the first stream time (measured, issue 17).
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'x@0' },
      { key: 'tick-stream', value: '100' },
      { key: 'b', value: 'z@2' },
      { key: 'tick-stream', value: '1500' },
    ]);
    await driver.advanceWallClockTime(4999);
    expect(out.isEmpty()).toBe(true);
    await driver.advanceWallClockTime(1);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'tick-wall', value: '5000' }]);
    expect(driver.getKeyValueStore<string, number>('seen').get('a')).toBe(100);
  });

  it('refuses access to a store the processor is not connected to', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValue({ name: 'seen' }));
    b.addStateStore(Stores.keyValue({ name: 'other' }));
    b.stream('in').process(() => new DedupProcessor(), { name: 'dedup', stores: ['other'] });
    b.stream('in2').process(() => new DedupProcessor(), { name: 'dedup2', stores: ['seen'] });
    const err = await TopologyTestDriver.create(b.build()).catch((e: unknown) => e);
    expect(isTributaryError(err, 'STORE_NOT_FOUND')).toBe(true);
  });

  it('awaits async processors before the next record of the task', async () => {
    const order: string[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { valueSerde: Serdes.string() }).process(
      () => ({
        async process(r: StreamRecord<string, string>) {
          await new Promise((res) => setTimeout(res, r.key === 'slow' ? 20 : 0));
          order.push(r.key);
        },
      }),
      { name: 'async' },
    );
    const driver = await TopologyTestDriver.create(b.build());
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('slow', 'x');
    await input.pipeInput('fast', 'x');
    expect(order).toEqual(['slow', 'fast']);
  });
});
