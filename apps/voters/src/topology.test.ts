import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { generateVoters, MALFORMED_VOTERS } from './producer.js';
import { buildTopology, COUNT_STORE } from './topology.js';
import { parseVoter, splitVoterKey, type VoterStat, voterKey } from './voter.js';

const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

async function driver(console: { output: { write(s: string): unknown } } | false = false) {
  const d = await TopologyTestDriver.create(
    buildTopology({ inputTopic: 'in', outputTopic: 'out', console }),
    {
      errorPolicy: { mode: 'dead-letter', topic: 'dlq' },
    },
  );
  drivers.push(d);
  return d;
}

describe('voters topology', () => {
  it('counts by gender|party and emits {gender, party, count} updates', async () => {
    const d = await driver();
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    for (const [k, v] of [
      ['a', { gender: 'F', age: 30, party: 'green' }],
      ['b', { gender: 'M', age: 44, party: 'labour' }],
      ['c', { gender: 'F', age: 71, party: 'green' }],
    ] as const)
      await input.pipeInput(k, JSON.stringify(v));
    expect(d.createOutputTopic<string, VoterStat>('out').readKeyValuesToList()).toEqual([
      { key: 'F|green', value: { gender: 'F', party: 'green', count: 1 } },
      { key: 'M|labour', value: { gender: 'M', party: 'labour', count: 1 } },
      { key: 'F|green', value: { gender: 'F', party: 'green', count: 2 } },
    ]);
    expect(d.getKeyValueStore<string, number>(COUNT_STORE).get('F|green')).toBe(2);
  });

  it('final counts equal a plain count of the generated voters', async () => {
    const d = await driver();
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    const voters = generateVoters(42, 500);
    const truth = new Map<string, number>();
    for (const { key, value } of voters) {
      truth.set(`${value.gender}|${value.party}`, (truth.get(`${value.gender}|${value.party}`) ?? 0) + 1);
      await input.pipeInput(key, JSON.stringify(value));
    }
    const latest = d.createOutputTopic<string, VoterStat>('out').readKeyValuesToMap();
    expect(new Map([...latest].map(([k, v]) => [k, v.count]))).toEqual(truth);
  });

  it('dead-letters malformed values with their original bytes and the failing stage', async () => {
    const d = await driver();
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    for (const [i, bad] of MALFORMED_VOTERS.entries())
      await input.pipeRaw(Buffer.from(`k${i}`), Buffer.from(bad));
    await input.pipeRaw(Buffer.from('tomb'), null);
    const dlq = d
      .createOutputTopic<string, string>('dlq', Serdes.string(), Serdes.string())
      .readRecordsToList();
    expect(dlq.map((r) => r.value)).toEqual([...MALFORMED_VOTERS, null]);
    const stages = dlq.map((r) => String(r.headers[DLQ_HEADERS.stage]));
    // Unparsable JSON fails in the source serde; parsable but invalid values fail in `validate`.
    expect(stages.slice(0, 2)).toEqual(['deserialization', 'deserialization']);
    expect(new Set(stages.slice(2))).toEqual(new Set(['processing']));
    expect(d.createOutputTopic('out').isEmpty()).toBe(true);
    expect(d.errorCounters().deadLettered).toBe(MALFORMED_VOTERS.length + 1);
  });

  it('renders the console table on commit', async () => {
    let text = '';
    const d = await driver({ output: { write: (s: string) => (text += s) } });
    const input = d.createInputTopic('in', Serdes.string(), Serdes.string());
    await input.pipeInput('a', JSON.stringify({ gender: 'X', age: 50, party: 'liberal' }));
    await d.commit();
    expect(text).toBe(
      'voters by gender and party\n' +
        'gender | party   | count\n' +
        '-------+---------+------\n' +
        'X      | liberal | 1\n\n',
    );
  });
});

describe('voter parsing', () => {
  it('accepts valid voters and rejects invalid ones', () => {
    expect(parseVoter({ gender: 'F', age: 18, party: 'green', extra: 1 })).toEqual({
      gender: 'F',
      age: 18,
      party: 'green',
    });
    for (const bad of [
      null,
      [],
      { gender: 'F', age: 17.5, party: 'x' },
      { gender: 'm', age: 30, party: 'x' },
    ]) {
      expect(() => parseVoter(bad)).toThrow();
    }
    expect(splitVoterKey(voterKey('X', 'new-party'))).toEqual({ gender: 'X', party: 'new-party' });
  });
});
