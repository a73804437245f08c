import { DLQ_HEADERS, Serdes, StreamsBuilder, TimeWindows, Tributary, type Windowed } from '@tributary/core';
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
import { closedAfterEach, eventually, tempDir, testLogger } from './helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 10, 6, 12, 0, 0);

describe('runtime on the real broker: windowed topology over 3 partitions', () => {
  const apps = closedAfterEach();

  it('emits exactly the expected per-minute counts; poison records go to the DLQ with correct headers', async () => {
    const input = uniqueName('clicks');
    const output = uniqueName('clicks-per-minute');
    const dlq = `${input}-dlq`;
    const applicationId = uniqueName('win-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    // 12 users x 6 minutes, keyed by user so no repartition; a poison record every 500.
    const messages: { key: string; value: string; timestamp: string }[] = [];
    const truth = new Map<string, number>();
    const poison: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const user = `u${i % 12}`;
      const ts = T0 + Math.floor((i / 6000) * 6 * MIN);
      if (i % 500 === 7) {
        const bad = `{"user":"${user}", oops ${i}`;
        poison.push(bad);
        messages.push({ key: user, value: bad, timestamp: String(ts) });
        continue;
      }
      messages.push({ key: user, value: JSON.stringify({ user, page: `p${i % 5}` }), timestamp: String(ts) });
      const k = `${user}@${ts - (ts % MIN)}`;
      truth.set(k, (truth.get(k) ?? 0) + 1);
    }
    await produceAll(input, messages);

    const b = new StreamsBuilder();
    b.stream<string, { user: string }>(input)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(MIN, 5_000))
      .count({ name: 'clicks-per-minute', idleTimeoutMs: 1500 })
      .toStream()
      .map((w: Windowed<string>, n) => ({ key: `${w.key}@${w.window.start}`, value: n }))
      .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    const app = new Tributary(b.build(), {
      applicationId,
      bootstrapServers: bootstrapServers(),
      stateBackend: levelDbBackend({ stateDir: await tempDir('win-state') }),
      commitIntervalMs: 300,
      errorPolicy: { mode: 'dead-letter' },
      logger: testLogger(),
    });
    apps.push(app);
    await app.start();

    let got: Map<string, number> = new Map();
    let duplicates = 0;
    const complete = await eventually(
      async () => {
        const records = await consumeAll(output, { idleMs: 1000, timeoutMs: 15_000 });
        got = new Map();
        duplicates = 0;
        for (const r of records) {
          const k = r.key?.toString() ?? '';
          if (got.has(k)) duplicates += 1;
          got.set(k, JSON.parse(r.value?.toString() ?? 'null'));
        }
        return got.size >= truth.size;
      },
      90_000,
      1000,
    );
    expect(complete).toBe(true);
    expect(duplicates).toBe(0); // final results: one per window
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(truth));

    expect(await waitForCommittedToEnd(applicationId, input)).toBe(true);
    const dead = await consumeAll(dlq, { count: poison.length, idleMs: 1500 });
    expect(dead.map((r) => r.value?.toString()).sort()).toEqual([...poison].sort());
    // Headers point at the original record: same topic, and the offset holds the same bytes.
    const originals = await consumeAll(input, { count: messages.length, idleMs: 1500 });
    for (const d of dead) {
      expect(d.headers[DLQ_HEADERS.topic]?.toString()).toBe(input);
      expect(d.headers[DLQ_HEADERS.stage]?.toString()).toBe('deserialization');
      const partition = Number(d.headers[DLQ_HEADERS.partition]?.toString());
      const offset = d.headers[DLQ_HEADERS.offset]?.toString();
      const original = originals.find((o) => o.partition === partition && o.offset === offset);
      expect(original?.value?.toString()).toBe(d.value?.toString());
      expect(String(d.headers[DLQ_HEADERS.error])).toMatch(/JSON/);
    }
    expect(app.metrics().deadLettered).toBe(poison.length);
  });
});
