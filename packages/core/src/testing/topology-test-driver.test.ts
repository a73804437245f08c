import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../kstream/streams-builder.js';
import { Serdes } from '../serde/serdes.js';
import { changelogTopicName } from '../state/store.js';
import { InMemoryChangelog } from './in-memory-changelog.js';
import { TopologyTestDriver } from './topology-test-driver.js';

function countTopology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('words', { valueSerde: Serdes.string() })
    .groupByKey()
    .count({ name: 'word-counts' })
    .toStream()
    .to('counts', { valueSerde: Serdes.json<number>() });
  return b.build();
}

describe('TopologyTestDriver on the production store stack', () => {
  it('writes the changelog at commit and a new driver restores from it', async () => {
    const changelog = new InMemoryChangelog();
    const first = await TopologyTestDriver.create(countTopology(), { changelog });
    const words = first.createInputTopic('words', Serdes.string(), Serdes.string());
    for (const w of ['a', 'b', 'a', 'a']) await words.pipeInput(w, w, 1_000);
    // Before a commit nothing reached the changelog: the write cache holds it.
    const topic = changelogTopicName('test-app', 'word-counts');
    expect(changelog.compacted(topic, 0).size).toBe(0);
    await first.commit();
    // Deduplicated per key by the cache: one record per key, with the latest count.
    expect(changelog.compacted(topic, 0).size).toBe(2);
    await first.close();

    const second = await TopologyTestDriver.create(countTopology(), { changelog });
    expect(second.getKeyValueStore<string, number>('word-counts').get('a')).toBe(3);
    const out = second.createOutputTopic('counts', Serdes.string(), Serdes.json<number>());
    await second.createInputTopic('words', Serdes.string(), Serdes.string()).pipeInput('a', 'a', 2_000);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 4 }]);
    await second.close();
  });

  it('uncommitted writes are not restored (a crash loses only what the changelog never got)', async () => {
    const changelog = new InMemoryChangelog();
    const first = await TopologyTestDriver.create(countTopology(), { changelog });
    const words = first.createInputTopic('words', Serdes.string(), Serdes.string());
    await words.pipeInput('a', 'a', 1_000);
    await first.commit();
    await words.pipeInput('a', 'a', 1_001);
    await first.close();
    const second = await TopologyTestDriver.create(countTopology(), { changelog });
    expect(second.getKeyValueStore<string, number>('word-counts').get('a')).toBe(1);
    await second.close();
  });
});
