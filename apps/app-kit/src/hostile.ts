import { createHash } from 'node:crypto';
import { DLQ_HEADERS } from '@tributary/core';
import { mulberry32 } from './prng.js';

/**
 * Hostile values for the apps' fuzz tests: what a broken or malicious producer of another team may
 * send. Each maker returns bytes that a JSON-object input contract must refuse, built from a valid
 * record (`valid`, the JSON object the app would accept) so they look as close to good data as
 * possible. App-specific kinds (bad numbers, bad timestamps) are added by each app's test.
 */
export type HostileMaker = (rnd: () => number, valid: Record<string, unknown>) => Buffer | null;

const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0x80],
  [0x80],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

/** Near the broker's 1,048,588-byte record batch limit, with room for a key and the DLQ headers. */
export const NEAR_LIMIT_BYTES = 1_040_000;

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

export const GENERIC_HOSTILE: Readonly<Record<string, HostileMaker>> = {
  'random bytes': (rnd) => {
    const b = Buffer.alloc(1 + Math.floor(rnd() * 200));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
    // A first byte that can never start a JSON object ('{' or whitespace), so the bytes are never valid.
    if (b[0] === 0x7b || b[0] === 0x20 || b[0] === 0x09 || b[0] === 0x0a || b[0] === 0x0d) b[0] = 0x00;
    return b;
  },
  // Invalid UTF-8 inside a string field of an otherwise valid record: a lossy decoder would accept it.
  'invalid UTF-8': (rnd, valid) => {
    const text = JSON.stringify({ ...valid, note: 'ab' });
    const at = text.indexOf('"ab"') + 2;
    const bad = Buffer.from(pick(rnd, INVALID_UTF8));
    return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
  },
  'truncated JSON': (rnd, valid) => {
    const text = Buffer.from(JSON.stringify(valid));
    return text.subarray(0, 1 + Math.floor(rnd() * (text.length - 1)));
  },
  '10,000-deep JSON': (rnd) =>
    Buffer.from(
      rnd() < 0.5
        ? `${'['.repeat(10_000)}${']'.repeat(10_000)}`
        : `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    ),
  'empty value': () => Buffer.alloc(0),
  'null value': () => null,
  'JSON not an object': (rnd) => Buffer.from(pick(rnd, ['[1,2,3]', '"view"', '42', 'true', 'null', '[]'])),
  // Every field only on __proto__: a merge (Object.assign) would make them look present.
  '__proto__ fields': (_rnd, valid) => Buffer.from(`{"__proto__":${JSON.stringify(valid)}}`),
  '__proto__ key in a valid record': (_rnd, valid) =>
    Buffer.from(`{${JSON.stringify(valid).slice(1, -1)},"__proto__":{"polluted":true}}`),
  'constructor.prototype payload': (_rnd, valid) =>
    Buffer.from(JSON.stringify({ constructor: { prototype: { ...valid } } })),
};

/** Garbage just under the size limit: a hostile value of its own, made rarely (it is a megabyte). */
export function nearLimitGarbage(rnd: () => number): Buffer {
  const b = Buffer.alloc(NEAR_LIMIT_BYTES - Math.floor(rnd() * 1000), 0x61);
  b[0] = 0x7e; // '~': not JSON
  return b;
}

/** A record of a fuzz run: what the app must do with it is decided when it is made. */
export interface FuzzRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Kafka record timestamp: `times[kind]` of `fuzzRecords`, else a second before its `now`. */
  readonly timestamp: number;
  /** 'valid' records must reach the output; every other kind must reach the DLQ. */
  readonly kind: string;
  /** The topic it goes to, when a run feeds several (see `fuzzOnDriver`). */
  readonly topic?: string;
}

/**
 * Mixes `validCount` valid records (from `makeValid`, in order: their event times may rise) with
 * `hostileCount` hostile ones of the given kinds, chosen evenly at random and put at random places
 * between them (the valid ones keep their order). The first `nearLimit` hostile records are
 * near-limit garbage. Keys are null, empty or normal at random (keys are not in the contracts).
 * Every record gets a Kafka timestamp: `times[kind]` (see `badRecordTimes`), else `now - 1000`.
 */
export function fuzzRecords(o: {
  seed: number;
  validCount: number;
  hostileCount: number;
  nearLimit: number;
  makeValid: (i: number, rnd: () => number) => Record<string, unknown>;
  kinds: Readonly<Record<string, HostileMaker>>;
  now: number;
  times?: Readonly<Record<string, number>>;
}): FuzzRecord[] {
  const rnd = mulberry32(o.seed);
  const names = Object.keys(o.kinds);
  const out: FuzzRecord[] = [];
  const key = (i: number) => pick(rnd, [null, Buffer.alloc(0), Buffer.from(`k${i}`)]);
  const timestamp = (kind: string) => o.times?.[kind] ?? o.now - 1000;
  let valid = 0;
  let hostile = 0;
  while (valid < o.validCount || hostile < o.hostileCount) {
    const leftV = o.validCount - valid;
    const leftH = o.hostileCount - hostile;
    if (rnd() * (leftV + leftH) < leftV) {
      out.push({
        key: key(valid),
        value: Buffer.from(JSON.stringify(o.makeValid(valid, rnd))),
        timestamp: timestamp('valid'),
        kind: 'valid',
      });
      valid++;
      continue;
    }
    const i = hostile++;
    if (i < o.nearLimit) {
      const near = 'near size limit';
      out.push({ key: key(i), value: nearLimitGarbage(rnd), timestamp: timestamp(near), kind: near });
      continue;
    }
    const kind = pick(rnd, names);
    const maker = o.kinds[kind] as HostileMaker;
    // A hostile record built from a valid-looking one (never sent as valid itself).
    const value = maker(rnd, o.makeValid(Math.max(0, valid - 1), rnd));
    out.push({ key: key(i), value, timestamp: timestamp(kind), kind });
  }
  return out;
}

/** Sends in byte-bounded batches (the broker limits a partition's batch to ~1 MB); big records alone. */
export function byteBatches<T extends { readonly value: Buffer | null }>(
  records: readonly T[],
  maxBytes = 512 * 1024,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const r of records) {
    const n = 100 + (r.value?.length ?? 0);
    if (current.length > 0 && size + n > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** How many records of each kind, for the report of a fuzz run. */
export function countKinds(records: readonly FuzzRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
  return counts;
}

/**
 * Kinds whose value is good but whose Kafka record timestamp no runtime may accept: before 1970,
 * beyond year 9999, and 2 h ahead of `now` (brokers refuse > 1 h). `times` gives each kind's
 * timestamp for the pipe; `kinds` makes their (valid) values.
 */
export function badRecordTimes(now: number): {
  times: Readonly<Record<string, number>>;
  kinds: Readonly<Record<string, HostileMaker>>;
  /** What the runtime's record limits say about each (see `ExpectedReasons`). */
  reasons: ExpectedReasons;
} {
  const times: Record<string, number> = {
    'record timestamp before 1970': -86_400_000,
    'record timestamp beyond year 9999': Date.UTC(10_000, 0, 1),
    'record timestamp beyond broker acceptance': now + 2 * 3_600_000,
  };
  const same: HostileMaker = (_r, v) => Buffer.from(JSON.stringify(v));
  const ahead = /^deserialization: event timestamp \d+ is more than 3600000 ms ahead of the wall clock/;
  return {
    times,
    kinds: Object.fromEntries(Object.keys(times).map((k) => [k, same])),
    reasons: {
      'record timestamp before 1970':
        /^deserialization: invalid event timestamp -86400000 \(must be a whole number of ms >= 0\)/,
      'record timestamp beyond year 9999': ahead,
      'record timestamp beyond broker acceptance': ahead,
    },
  };
}

/** Sorted SHA-1 digests of values (null as 'null'): compares two multisets of records' bytes. */
export function digests(values: Iterable<Buffer | null>): string[] {
  return [...values].map((b) => (b === null ? 'null' : createHash('sha1').update(b).digest('hex'))).sort();
}

/**
 * What is wrong with a dead-letter topic's content, given the hostile records sent (empty when it is
 * right): it must hold exactly their bytes, each record with a non-empty reason in `reasonHeader`.
 */
export function dlqProblems(
  dlq: readonly { readonly value: Buffer | null; readonly headers: Readonly<Record<string, unknown>> }[],
  hostile: readonly FuzzRecord[],
  reasonHeader: string,
): string[] {
  const problems: string[] = [];
  if (dlq.length !== hostile.length)
    problems.push(`${dlq.length} dead letters for ${hostile.length} hostile records`);
  const got = digests(dlq.map((r) => r.value));
  const want = digests(hostile.map((r) => r.value));
  if (got.join() !== want.join()) problems.push('the dead letters are not the hostile records');
  const noReason = dlq.filter((r) => String(r.headers[reasonHeader] ?? '') === '').length;
  if (noReason > 0) problems.push(`${noReason} dead letters without a reason`);
  return problems;
}

/**
 * How each hostile kind must be dead-lettered: a pattern over `<stage>: <reason>`, the DLQ headers
 * `tributary.error.stage` and `tributary.error.message` joined.
 */
export type ExpectedReasons = Readonly<Record<string, RegExp>>;

/** A pattern that matches what any of `patterns` matches. */
export function either(...patterns: RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'));
}

/**
 * The reasons of the generic kinds (and near-limit garbage) under `Serdes.json`. `rejected` is how
 * the app's contract refuses JSON that is none of its records: an array, a string, null, an object
 * without its fields. Random bytes may happen to be JSON (a lone digit), so they may meet either.
 */
export function genericReasons(rejected: RegExp): ExpectedReasons {
  const serde = (what: string) => new RegExp(`^deserialization: ${what}`);
  const parse = serde('JSON parse failed');
  return {
    'random bytes': either(serde('invalid UTF-8'), parse, rejected),
    'invalid UTF-8': serde('invalid UTF-8'),
    'truncated JSON': parse,
    '10,000-deep JSON': serde('JSON nested deeper than 1000 levels'),
    'empty value': parse,
    'null value': rejected,
    'JSON not an object': rejected,
    '__proto__ fields': serde('JSON parse failed: key "__proto__" is not allowed'),
    '__proto__ key in a valid record': serde('JSON parse failed: key "__proto__" is not allowed'),
    'constructor.prototype payload': rejected,
    'near size limit': parse,
  };
}

/**
 * What is wrong with the reasons of the dead letters (empty when right): each must match the
 * expected reason of the kind its bytes were made as (of one of them, for bytes two kinds made).
 */
export function dlqReasonProblems(
  dlq: readonly { readonly value: Buffer | null; readonly headers: Readonly<Record<string, unknown>> }[],
  hostile: readonly FuzzRecord[],
  expected: ExpectedReasons,
): string[] {
  const problems: string[] = [];
  const kindsOf = new Map<string, Set<string>>();
  for (const r of hostile) {
    const [d] = digests([r.value]) as [string];
    kindsOf.set(d, (kindsOf.get(d) ?? new Set<string>()).add(r.kind));
  }
  for (const kind of new Set(hostile.map((r) => r.kind)))
    if (!expected[kind]) problems.push(`no expected reason for kind "${kind}"`);
  const wrong = new Map<string, { count: number; example: string }>();
  for (const r of dlq) {
    const reason = `${String(r.headers[DLQ_HEADERS.stage])}: ${String(r.headers[DLQ_HEADERS.error])}`;
    const [d] = digests([r.value]) as [string];
    const kinds = [...(kindsOf.get(d) ?? [])];
    if (kinds.some((k) => expected[k]?.test(reason))) continue;
    const name = kinds.join(' / ') || 'no hostile kind';
    const w = wrong.get(name) ?? { count: 0, example: reason.slice(0, 200) };
    w.count += 1;
    wrong.set(name, w);
  }
  for (const [name, w] of wrong)
    problems.push(`${w.count} dead letters of "${name}" with an unexpected reason, e.g. "${w.example}"`);
  return problems;
}

/**
 * Own property names (and symbols) of the built-in prototypes that a prototype pollution changes;
 * taken before and after a run, they must be equal.
 */
export function prototypeSnapshot(): string[] {
  const protos = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
  return Object.entries(protos)
    .flatMap(([name, p]) => Reflect.ownKeys(p).map((k) => `${name}.${String(k)}`))
    .sort();
}

/** Names added to or missing from the prototypes since `before` (empty when unchanged). */
export function prototypeChanges(before: readonly string[]): string[] {
  const after = prototypeSnapshot();
  const was = new Set(before);
  const now = new Set(after);
  return [
    ...after.filter((k) => !was.has(k)).map((k) => `+${k}`),
    ...before.filter((k) => !now.has(k)).map((k) => `-${k}`),
  ];
}
