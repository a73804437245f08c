import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferConfig, Serdes, StreamsBuilder, Suppressed, TimeWindows } from '@tributary/core';
import { InMemoryChangelog, TopologyTestDriver } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { levelDbBackend } from './backends.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

/** Tumbling 10 s windows, no grace, counted and suppressed until they close. */
function topology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', strings)
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
    .count({ name: 'counts' })
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
    .toStream()
    .map((w, n) => ({ key: `${w.key}@${w.window.start}`, value: String(n) }))
    .to('out', strings);
  return b.build();
}

describe('suppress buffer on LevelDB', () => {
  let dirs: string[] = [];
  const newDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'tributary-suppress-'));
    dirs.push(d);
    return d;
  };
  beforeEach(() => {
    dirs = [];
  });
  afterEach(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function run(stateDir: string, changelog: InMemoryChangelog, records: Array<[string, number]>) {
    const driver = await TopologyTestDriver.create(topology(), {
      applicationId: 'app',
      stateBackend: levelDbBackend({ stateDir }),
      changelog,
    });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    for (const [key, ts] of records) await input.pipeInput(key, 'x', ts);
    const out = driver
      .createOutputTopic('out', Serdes.string(), Serdes.string())
      .readRecordsToList()
      .map((r) => [r.key, r.value, r.timestamp]);
    await driver.commit();
    await driver.close();
    return out;
  }

  for (const restart of ['same state dir (checkpoint)', 'fresh state dir (changelog restore)'] as const) {
    it(`keeps buffered windows across a restart: ${restart}`, async () => {
      const changelog = new InMemoryChangelog();
      const dir = await newDir();
      expect(
        await run(dir, changelog, [
          ['a', 1_000],
          ['a', 2_000],
          ['b', 3_000],
        ]),
      ).toEqual([]);
      const second = restart.startsWith('same') ? dir : await newDir();
      expect(
        await run(second, changelog, [
          ['b', 4_000],
          ['c', 10_000],
        ]),
      ).toEqual([
        ['a@0', '2', 2_000],
        ['b@0', '2', 4_000],
      ]);
      // Emitted windows left the buffer for good: a third run emits only c's window.
      expect(await run(second, changelog, [['d', 20_000]])).toEqual([['c@10000', '1', 10_000]]);
    });
  }
});
