import {
  badRecordTimes,
  fuzzOnDriver,
  fuzzRecords,
  GENERIC_HOSTILE,
  genericReasons,
  type HostileMaker,
} from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { buildTopology } from './topology.js';
import { GENDERS, PARTIES, type VoterStat } from './voter.js';

const NOW = Date.UTC(2026, 5, 1);

const BAD_TIME = badRecordTimes(NOW);

const VOTER_KINDS: Record<string, HostileMaker> = {
  'age beyond 2^53': (_r, v) => Buffer.from(JSON.stringify({ ...v, age: 2 ** 53 + 2 })),
  'age beyond 2^53 (literal)': (_r, v) =>
    Buffer.from(JSON.stringify(v).replace(/"age":\d+/, '"age":123456789012345678901234')),
  ...BAD_TIME.kinds,
};

/** The stage and reason of each kind: `validate` refuses what is not a voter (stage processing). */
const REASONS = {
  ...genericReasons(
    /^processing: (voter must be a JSON object|gender must be one of F, M, X, got undefined)/,
  ),
  'age beyond 2^53': /^processing: age must be an integer in \[18, 120\], got 9007199254740994/,
  'age beyond 2^53 (literal)':
    /^processing: age must be an integer in \[18, 120\], got 1\.2345678901234569e\+23/,
  ...BAD_TIME.reasons,
};

describe('voters on hostile input (seeded fuzz, TopologyTestDriver)', () => {
  it('10,000 hostile records among 5,000 voters: counts equal the valid voters, the DLQ holds exactly the hostile ones', async () => {
    const records = fuzzRecords({
      seed: 7,
      validCount: 5000,
      hostileCount: 10_000,
      nearLimit: 3,
      kinds: { ...GENERIC_HOSTILE, ...VOTER_KINDS },
      now: NOW,
      times: BAD_TIME.times,
      makeValid: (i, rnd) => ({
        gender: GENDERS[Math.floor(rnd() * GENDERS.length)],
        age: 18 + Math.floor(rnd() * 103),
        party: PARTIES[Math.floor(rnd() * PARTIES.length)],
        ...(i % 9 === 0 ? { constructor: 'plain data', prototype: 1 } : {}),
      }),
    });
    const truth = new Map<string, number>();
    for (const r of records.filter((r) => r.kind === 'valid')) {
      const v = JSON.parse((r.value as Buffer).toString()) as { gender: string; party: string };
      truth.set(`${v.gender}|${v.party}`, (truth.get(`${v.gender}|${v.party}`) ?? 0) + 1);
    }
    const { driver, problems } = await fuzzOnDriver({
      name: 'voters',
      topology: buildTopology({ inputTopic: 'in', outputTopic: 'out', console: false }),
      records,
      now: NOW,
      reasons: REASONS,
    });
    expect(problems).toEqual([]);
    const latest = driver.createOutputTopic<string, VoterStat>('out').readKeyValuesToMap();
    expect(new Map([...latest].map(([k, v]) => [k, v.count]))).toEqual(truth);
    await driver.close();
  });
});
