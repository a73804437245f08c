/** One voter record of the `voters` topic. */
export interface Voter {
  readonly gender: string;
  readonly age: number;
  readonly party: string;
}

/** One row of `voter-stats`: the count of voters of one (gender, party). */
export interface VoterStat {
  readonly gender: string;
  readonly party: string;
  readonly count: number;
}

export const GENDERS = ['F', 'M', 'X'] as const;
export const PARTIES = ['green', 'labour', 'liberal', 'conservative', 'independent'] as const;
export const MIN_AGE = 18;
export const MAX_AGE = 120;

/** Separates gender and party in the count key, e.g. `F|green`; neither field may contain it. */
export const KEY_SEPARATOR = '|';

export function voterKey(gender: string, party: string): string {
  return `${gender}${KEY_SEPARATOR}${party}`;
}

/** Inverse of voterKey: splits at the first separator (gender never contains one). */
export function splitVoterKey(key: string): { gender: string; party: string } {
  const i = key.indexOf(KEY_SEPARATOR);
  if (i < 0) throw new Error(`not a voter key: ${JSON.stringify(key)}`);
  return { gender: key.slice(0, i), party: key.slice(i + 1) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed JSON value and returns a clean Voter; throws with a readable reason otherwise, so
 * the runtime's dead-letter policy puts the original bytes and that reason on the DLQ.
 * Gender must be one of GENDERS (a closed code list); party is open-ended (new parties appear)
 * but must be a non-empty string of at most 64 characters without the key separator; age must be
 * an integer in [MIN_AGE, MAX_AGE]. Extra fields are ignored.
 */
export function parseVoter(value: unknown): Voter {
  if (!isObject(value)) throw new Error('voter must be a JSON object');
  const { gender, age, party } = value;
  if (typeof gender !== 'string' || !(GENDERS as readonly string[]).includes(gender)) {
    throw new Error(`gender must be one of ${GENDERS.join(', ')}, got ${JSON.stringify(gender)}`);
  }
  if (typeof age !== 'number' || !Number.isInteger(age) || age < MIN_AGE || age > MAX_AGE) {
    throw new Error(`age must be an integer in [${MIN_AGE}, ${MAX_AGE}], got ${JSON.stringify(age)}`);
  }
  if (typeof party !== 'string' || party === '' || party.length > 64 || party.includes(KEY_SEPARATOR)) {
    throw new Error(
      `party must be a non-empty string without "${KEY_SEPARATOR}", got ${JSON.stringify(party)}`,
    );
  }
  return { gender, age, party };
}
