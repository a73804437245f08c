import { rm } from 'node:fs/promises';
import { BufferConfig, Serdes, StreamsBuilder, Suppressed, TimeWindows, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, consumeAll, createTopics, produceAll, uniqueName } from '../index.js';
import { closedAfterEach, runToCommittedEnd, tempDir, testLogger, valuesByKey } from './helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 10, 6, 8, 0, 0);
const USERS = 9;

describe('suppress on the real broker', () => {
  const apps = closedAfterEach();

  const runToEnd = (app: Tributary, applicationId: string, input: string) =>
    runToCommittedEnd(apps, app, applicationId, input);

  it('a fresh instance restores the suppress buffer from its changelog and emits each window once', async () => {
    const input = uniqueName('suppress-in');
    const output = uniqueName('suppress-out');
    const applicationId = uniqueName('suppress-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(MIN, 5_000))
        .count({ name: 'counts' })
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
        .toStream()
        .map((w, n) => ({ key: `${w.key}@${w.window.start - T0}`, value: n }))
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    // Minute m of every user has m + 2 records. Phase 1 holds minutes 0 and 1 whole: minute 0 closes
    // in phase 1, minute 1 is complete but still open, so only the restored buffer can emit it.
    const truth = new Map<string, number>();
    const phase1: { key: string; value: string; timestamp: string }[] = [];
    const phase2: typeof phase1 = [];
    for (let m = 0; m < 4; m++) {
      for (let i = 0; i < m + 2; i++) {
        for (let u = 0; u < USERS; u++) {
          (m < 2 ? phase1 : phase2).push({
            key: `u${u}`,
            value: 'x',
            timestamp: String(T0 + m * MIN + i * 10_000 + u * 100),
          });
        }
      }
      for (let u = 0; u < USERS; u++) truth.set(`u${u}@${m * MIN}`, m + 2);
    }
    // One record per user far ahead closes every earlier window (its own stays open).
    for (let u = 0; u < USERS; u++)
      phase2.push({ key: `u${u}`, value: 'x', timestamp: String(T0 + 60 * MIN) });

    await produceAll(input, phase1);
    const common = {
      applicationId,
      bootstrapServers: bootstrapServers(),
      commitIntervalMs: 200,
      logger: testLogger(),
    };
    const stateDir1 = await tempDir('suppress-a');
    await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: levelDbBackend({ stateDir: stateDir1 }) }),
      applicationId,
      input,
    );
    await rm(stateDir1, { recursive: true, force: true });

    await produceAll(input, phase2);
    const events = await runToEnd(
      new Tributary(topology(), {
        ...common,
        stateBackend: levelDbBackend({ stateDir: await tempDir('suppress-b') }),
      }),
      applicationId,
      input,
    );
    const ends = events.filter((e) => e.phase === 'end' && e.store === 'final-store');
    expect(ends.length).toBe(3);
    expect(ends.reduce((n, e) => n + e.restored, 0)).toBeGreaterThan(0);

    const got = valuesByKey(await consumeAll(output, { idleMs: 1500 }));
    expect(got).toEqual(Object.fromEntries([...truth].map(([k, n]) => [k, [n]])));
  });
});
