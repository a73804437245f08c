import { describe, expect, it } from 'vitest';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';
import { TimeWindows } from './windows.js';

/**
 * Windowed results carry the largest record timestamp of their window (measured against Kafka
 * Streams 4.1: fixtures result-ts-*), kept next to the aggregate in a timestamped window store.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

async function drive(
  emit: 'final' | 'update',
  opts: { changelog?: InMemoryChangelog; windows?: TimeWindows; idleTimeoutMs?: number } = {},
) {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', strings)
    .groupByKey()
    .windowedBy(opts.windows ?? TimeWindows.ofSizeAndGrace(10_000, 5_000))
    .count({
      name: 'counts',
      emit,
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    })
    .toStream()
    .map((w, n) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: String(n) }))
    .to('out', strings);
  const driver = await TopologyTestDriver.create(b.build(), {
    initialWallClockMs: 0,
    ...(opts.changelog ? { changelog: opts.changelog } : {}),
  });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, input, read };
}

describe('windowed result timestamps', () => {
  it('an update carries the largest timestamp of its window so far, also for an out-of-order record', async () => {
    const { input, read, driver } = await drive('update');
    await input.pipeInput('a', 'x', 5_000);
    await input.pipeInput('a', 'x', 2_000);
    await input.pipeInput('a', 'x', 7_000);
    await input.pipeInput('a', 'x', 12_000);
    await input.pipeInput('a', 'x', 6_000);
    expect(read()).toEqual([
      ['a@0/10000', '1', 5_000],
      ['a@0/10000', '2', 5_000],
      ['a@0/10000', '3', 7_000],
      ['a@10000/20000', '1', 12_000],
      ['a@0/10000', '4', 7_000],
    ]);
    const store = driver.getTimestampedWindowStore<string, number>('counts');
    expect(store.fetchWithTimestamp('a', 0)).toEqual({ value: 4, timestamp: 7_000 });
    expect(store.fetch('a', 10_000)).toBe(1); // the plain read sees the aggregate alone
  });

  it('hopping windows keep one largest timestamp per window', async () => {
    const windows = TimeWindows.ofSizeAndGrace(10_000, 5_000).advanceBy(5_000);
    const { input, read } = await drive('update', { windows });
    await input.pipeInput('a', 'x', 9_000);
    await input.pipeInput('a', 'x', 4_000);
    expect(read()).toEqual([
      ['a@0/10000', '1', 9_000],
      ['a@5000/15000', '1', 9_000],
      ['a@0/10000', '2', 9_000],
    ]);
  });

  it('final results carry the largest timestamp; windows closing together come out by key bytes', async () => {
    const { input, read } = await drive('final');
    await input.pipeInput('b', 'x', 3_000);
    await input.pipeInput('a', 'x', 8_000);
    await input.pipeInput('a', 'x', 4_000);
    await input.pipeInput('b', 'x', 9_000);
    await input.pipeInput('c', 'x', 14_000);
    expect(read()).toEqual([]);
    await input.pipeInput('z', 'x', 15_000); // stream time 15 s - grace 5 s closes [0, 10 s)
    expect(read()).toEqual([
      ['a@0/10000', '2', 8_000],
      ['b@0/10000', '2', 9_000],
    ]);
  });

  it('idle close stamps final results the same way', async () => {
    const { input, read, driver } = await drive('final', { idleTimeoutMs: 1_000 });
    await input.pipeInput('a', 'x', 6_000);
    await input.pipeInput('a', 'x', 1_000);
    await driver.advanceWallClockTime(2_000);
    expect(read()).toEqual([['a@0/10000', '2', 6_000]]);
  });

  it('the largest timestamp survives a restore from the changelog', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive('final', { changelog });
    await first.input.pipeInput('a', 'x', 7_000);
    await first.input.pipeInput('a', 'x', 2_000);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive('final', { changelog });
    await second.input.pipeInput('a', 'x', 3_000);
    await second.input.pipeInput('z', 'x', 15_000);
    expect(second.read()).toEqual([['a@0/10000', '3', 7_000]]);
    await second.driver.close();
  });

  it('the timestamped store: plain reads strip the timestamp, a plain put keeps it (or uses the window start)', async () => {
    const { input, driver } = await drive('update');
    await input.pipeInput('a', 'x', 7_000);
    await input.pipeInput('b', 'x', 12_000);
    const store = driver.getTimestampedWindowStore<string, number>('counts');
    const all = [];
    for await (const e of store.all()) all.push(e);
    expect(all).toEqual([
      { key: 'a', windowStart: 0, value: 1 },
      { key: 'b', windowStart: 10_000, value: 1 },
    ]);
    store.put('a', 5, 0);
    store.put('c', 9, 20_000);
    expect([store.fetchWithTimestamp('a', 0), store.fetchWithTimestamp('c', 20_000)]).toEqual([
      { value: 5, timestamp: 7_000 },
      { value: 9, timestamp: 20_000 },
    ]);
    store.put('a', undefined, 0);
    expect(store.fetchWithTimestamp('a', 0)).toBeUndefined();
    await driver.close();
  });
});
