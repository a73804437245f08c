import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { DLQ_HEADERS } from '../runtime/dead-letter.js';

/** Concatenates each key's values into one store value: it grows until its changelog record is too large. */
function topology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', { valueSerde: Serdes.string() })
    .groupByKey({ keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .aggregate<string>(
      () => '',
      (_k, v, agg) => agg + v,
      { name: 'concat', valueSerde: Serdes.string() },
    )
    .toStream()
    .mapValues((v) => (v === null ? null : v.length))
    .to('out', { valueSerde: Serdes.json() });
  return b.build();
}

describe('changelog records and maxRecordBytes', () => {
  it('a store write whose changelog record would be too large is a record error: DLQ with the reason, state and the rest unharmed', async () => {
    const d = await TopologyTestDriver.create(topology(), {
      errorPolicy: { mode: 'dead-letter', topic: 'dlq' },
      recordLimits: { maxRecordBytes: 2048 },
    });
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    const chunk = 'x'.repeat(600);
    // "a": 600, 1200, 1800, then 2400 (+ key + framing) is over the limit; "b" goes on.
    for (const [k, v] of [
      ['a', chunk],
      ['a', chunk],
      ['a', chunk],
      ['a', chunk],
      ['b', 'y'],
      ['a', 'z'],
    ] as const)
      await input.pipeInput(k, v);
    const out = d.createOutputTopic('out', Serdes.string(), Serdes.json<number>()).readKeyValuesToList();
    expect(out.map((r) => `${r.key}=${r.value}`)).toEqual(['a=600', 'a=1200', 'a=1800', 'b=1', 'a=1801']);
    const dlq = d.createOutputTopic('dlq', Serdes.string(), Serdes.string()).readRecordsToList();
    expect(dlq.map((r) => [r.key, r.value?.length, r.headers[DLQ_HEADERS.stage]])).toEqual([
      ['a', 600, 'production'],
    ]);
    expect(String(dlq[0]?.headers[DLQ_HEADERS.error])).toMatch(
      /^store concat: changelog record of ~\d+ bytes exceeds maxRecordBytes 2048$/,
    );
    expect(d.getKeyValueStore<string, string>('concat').get('a')).toHaveLength(1801);
    // The commit produces the changelog without the refused value: nothing in it is over the limit.
    await d.commit();
    const logged = d.changelog.compacted('test-app-concat-changelog', 0);
    expect([...logged.values()].map((v) => v.length).sort((x, y) => x - y)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    for (const v of logged.values()) expect(v.length).toBeLessThan(2048 - 70);
    expect(d.errorCounters()).toMatchObject({ productionErrors: 1, deadLettered: 1 });
    await d.close();
  });

  it('under fail, the app stops with PRODUCTION_FAILED naming the store', async () => {
    const d = await TopologyTestDriver.create(topology(), { recordLimits: { maxRecordBytes: 1024 } });
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    const err = await input.pipeInput('a', 'x'.repeat(1000)).catch((e: unknown) => e);
    expect(isTributaryError(err, 'PRODUCTION_FAILED')).toBe(true);
    expect(String((err as Error).message)).toMatch(/store concat: changelog record/);
  });
});
