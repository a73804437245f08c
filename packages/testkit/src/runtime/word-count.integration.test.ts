import { Serdes, StreamsBuilder, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, consumeAll, createTopics, produceAll, uniqueName } from '../index.js';
import { closedAfterEach, eventually, latestByKey, tempDir, testLogger } from './helpers.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];

function lines(n: number, seed = 7): string[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: n }, () =>
    Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(
      ' ',
    ),
  );
}

describe('runtime on the real broker: word count over 3 partitions', () => {
  const apps = closedAfterEach();

  it('produces exactly the expected final counts, through a repartition topic', async () => {
    const input = uniqueName('lines');
    const output = uniqueName('word-counts');
    const applicationId = uniqueName('wc-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const text = lines(3000);
    // Ground truth computed directly from the input, not through the topology.
    const truth = new Map<string, number>();
    for (const line of text) for (const w of line.split(' ')) truth.set(w, (truth.get(w) ?? 0) + 1);
    await produceAll(
      input,
      text.map((value, i) => ({ key: `line-${i}`, value })),
    );

    const b = new StreamsBuilder();
    b.stream<string, string>(input, { valueSerde: Serdes.string() })
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, w) => w, { keySerde: Serdes.string() })
      .count({ name: 'counts' })
      .toStream()
      .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    const app = new Tributary(b.build(), {
      applicationId,
      bootstrapServers: bootstrapServers(),
      stateBackend: levelDbBackend({ stateDir: await tempDir('wc-state') }),
      commitIntervalMs: 200,
      logger: testLogger(),
    });
    apps.push(app);
    await app.start();
    await app.waitForState('running');

    let latest = new Map<string, unknown>();
    const matched = await eventually(
      async () => {
        latest = latestByKey(await consumeAll(output, { idleMs: 1500, timeoutMs: 20_000 }));
        return WORDS.every((w) => latest.get(w) === truth.get(w));
      },
      90_000,
      1000,
    );
    expect(Object.fromEntries(latest)).toEqual(Object.fromEntries(truth));
    expect(matched).toBe(true);
    expect(app.metrics().processed).toBeGreaterThanOrEqual(3000);
    await app.close();
    expect(app.state).toBe('not-running');
  });
});
