import { Serdes, StreamsBuilder, TimeWindows, Tributary, type Windowed } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { closedAfterEach, latestByKey, tempDir, testLogger } from './helpers.js';

const T0 = Date.UTC(2025, 10, 6, 12, 0, 0);

describe('null keys and values on the real broker', () => {
  const apps = closedAfterEach();

  it('under the default fail policy, aggregations skip and count nulls as Kafka Streams does and keep running', async () => {
    const input = uniqueName('nulls-in');
    const counts = uniqueName('nulls-counts');
    const windowed = uniqueName('nulls-windowed');
    const applicationId = uniqueName('nulls-app');
    await createTopics([
      { name: input, partitions: 2 },
      { name: counts, partitions: 2 },
      { name: windowed, partitions: 2 },
    ]);
    // Per key: 3 values and 2 null values; 4 null-key records besides.
    const messages: { key: string | null; value: string | null; timestamp: string }[] = [];
    for (let i = 0; i < 5; i++) {
      for (const key of ['a', 'b']) {
        messages.push({ key, value: i % 2 === 1 ? null : `v${i}`, timestamp: String(T0 + i * 1000) });
      }
      if (i < 4) messages.push({ key: null, value: 'x', timestamp: String(T0 + i * 1000) });
    }
    await produceAll(input, messages);

    const b = new StreamsBuilder();
    const s = b.stream<string, string>(input, { valueSerde: Serdes.string() });
    s.groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to(counts, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    s.groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 0))
      .count({ name: 'per-minute', emit: 'update' })
      .toStream()
      .map((w: Windowed<string>, n) => ({ key: w.key, value: n }))
      .to(windowed, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    const app = new Tributary(b.build(), {
      applicationId,
      bootstrapServers: bootstrapServers(),
      stateBackend: levelDbBackend({ stateDir: await tempDir('nulls-state') }),
      commitIntervalMs: 200,
      logger: testLogger(),
    });
    apps.push(app);
    await app.start();
    expect(await waitForCommittedToEnd(applicationId, input, 60_000)).toBe(true);

    expect(app.state).toBe('running');
    const latest = async (topic: string) =>
      Object.fromEntries(latestByKey(await consumeAll(topic, { idleMs: 1500 })));
    expect(await latest(counts)).toEqual({ a: 3, b: 3 }); // null values skipped
    expect(await latest(windowed)).toEqual({ a: 5, b: 5 }); // null values counted
    const m = app.metrics();
    expect({
      processingErrors: m.processingErrors,
      skippedNullKeys: m.skippedNullKeys,
      skippedNullValues: m.skippedNullValues,
    }).toEqual({ processingErrors: 0, skippedNullKeys: 8, skippedNullValues: 4 });
  });
});
