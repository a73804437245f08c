import { mulberry32 } from '@tributary/app-kit';
import { GENDERS, PARTIES, type Voter } from './voter.js';

function pickWeighted<T>(rnd: () => number, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rnd() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i]!;
    if (x < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

// Skewed on purpose so the console table shows visibly different counts.
const GENDER_WEIGHTS = [49, 48, 3];
const PARTY_WEIGHTS = [18, 30, 14, 28, 10];

/** A voter record as produced: key `voter-<seed>-<index>`, value the voter. */
export interface VoterRecord {
  readonly key: string;
  readonly value: Voter;
}

/** Endless deterministic voters for a seed: gender weighted F/M/X, party weighted, age 18-95. */
export function* voterGenerator(seed: number): Generator<VoterRecord> {
  const rnd = mulberry32(seed);
  for (let i = 0; ; i++) {
    yield {
      key: `voter-${seed}-${i}`,
      value: {
        gender: pickWeighted(rnd, GENDERS, GENDER_WEIGHTS),
        age: 18 + Math.floor(rnd() * 78),
        party: pickWeighted(rnd, PARTIES, PARTY_WEIGHTS),
      },
    };
  }
}

export function generateVoters(seed: number, count: number): VoterRecord[] {
  const out: VoterRecord[] = [];
  for (const v of voterGenerator(seed)) {
    if (out.length >= count) break;
    out.push(v);
  }
  return out;
}

/** Values the streams app must dead-letter: bad JSON, wrong shapes, out-of-range fields. */
export const MALFORMED_VOTERS: readonly string[] = [
  '{"gender":"F","age":40,"party":"green"', // truncated JSON
  'not json at all',
  '[1,2,3]',
  '{"gender":"Q","age":40,"party":"green"}',
  '{"gender":"M","age":12,"party":"labour"}',
  '{"gender":"M","age":"40","party":"labour"}',
  '{"gender":"F","age":30}',
  '{"gender":"X","age":30,"party":"a|b"}',
  'null',
];
