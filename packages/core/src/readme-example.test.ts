// The example of packages/core/README.md, run as a test: keep the two identical apart from the assertions.
import { Serdes, StreamsBuilder } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { expect, it } from 'vitest';

it('README example: word count on the TopologyTestDriver', async () => {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('lines', { valueSerde: Serdes.string() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, { keySerde: Serdes.string() })
    .count({ name: 'word-counts' }) // durable name: store, changelog and repartition topic
    .toStream()
    .to('counts', { valueSerde: Serdes.json<number>() });
  const topology = builder.build();

  const driver = await TopologyTestDriver.create(topology);
  const lines = driver.createInputTopic('lines', Serdes.string(), Serdes.string());
  const counts = driver.createOutputTopic('counts', Serdes.string(), Serdes.json<number>());
  await lines.pipeInput('line-1', 'The quick fox', Date.parse('2025-11-06T12:30:00Z'));
  await lines.pipeInput('line-2', 'the lazy dog', Date.parse('2025-11-06T12:30:01Z'));
  const result = counts.readKeyValuesToMap(); // latest count per word
  expect(result).toEqual(
    new Map([
      ['the', 2],
      ['quick', 1],
      ['fox', 1],
      ['lazy', 1],
      ['dog', 1],
    ]),
  );
  expect(driver.getKeyValueStore<string, number>('word-counts').get('the')).toBe(2);
  await driver.close();
});
