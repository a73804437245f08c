import {
  badRecordTimes,
  countKinds,
  dlqProblems,
  fuzzRecords,
  GENERIC_HOSTILE,
  type HostileMaker,
} from '@tributary/app-kit/testing';
import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { buildTopology } from './topology.js';
import { GENDERS, PARTIES, type VoterStat } from './voter.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1);

const BAD_TIME = badRecordTimes(NOW);

const VOTER_KINDS: Record<string, HostileMaker> = {
  'age beyond 2^53': (_r, v) => Buffer.from(JSON.stringify({ ...v, age: 2 ** 53 + 2 })),
  'age beyond 2^53 (literal)': (_r, v) =>
    Buffer.from(JSON.stringify(v).replace(/"age":\d+/, '"age":123456789012345678901234')),
  ...BAD_TIME.kinds,
};

describe('voters on hostile input (seeded fuzz, TopologyTestDriver)', () => {
  it('10,000 hostile records among 5,000 voters: counts equal the valid voters, the DLQ holds exactly the hostile ones', async () => {
    const records = fuzzRecords({
      seed: 7,
      validCount: 5000,
      hostileCount: 10_000,
      nearLimit: 3,
      kinds: { ...GENERIC_HOSTILE, ...VOTER_KINDS },
      makeValid: (i, rnd) => ({
        gender: GENDERS[Math.floor(rnd() * GENDERS.length)],
        age: 18 + Math.floor(rnd() * 103),
        party: PARTIES[Math.floor(rnd() * PARTIES.length)],
        ...(i % 9 === 0 ? { constructor: 'plain data', prototype: 1 } : {}),
      }),
    });
    const d = await TopologyTestDriver.create(
      buildTopology({ inputTopic: 'in', outputTopic: 'out', console: false }),
      {
        errorPolicy: { mode: 'dead-letter', topic: 'dlq' },
        initialWallClockMs: NOW,
        recordLimits: { maxTimestampAheadMs: HOUR },
      },
    );
    const input = d.createInputTopic('in', Serdes.bytes(), Serdes.bytes());
    const truth = new Map<string, number>();
    for (const r of records) {
      if (r.kind === 'valid') {
        const v = JSON.parse((r.value as Buffer).toString()) as { gender: string; party: string };
        truth.set(`${v.gender}|${v.party}`, (truth.get(`${v.gender}|${v.party}`) ?? 0) + 1);
      }
      await input.pipeRaw(r.key, r.value, BAD_TIME.times[r.kind] ?? NOW - 1000);
    }
    const hostile = records.filter((r) => r.kind !== 'valid');
    const latest = d.createOutputTopic<string, VoterStat>('out').readKeyValuesToMap();
    expect(new Map([...latest].map(([k, v]) => [k, v.count]))).toEqual(truth);
    const dlq = d.createOutputTopic('dlq', Serdes.bytes(), Serdes.bytes()).readRecordsToList();
    expect(dlqProblems(dlq, hostile, DLQ_HEADERS.error)).toEqual([]);
    expect(d.errorCounters().deadLettered).toBe(hostile.length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (process.env.FUZZ_COUNTS) console.log('voters hostile fuzz', countKinds(records));
    await d.close();
  });
});
