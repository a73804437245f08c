import type { ProducerPort } from '@tributary/core';
import { GENDERS, PARTIES, type Voter } from './voter.js';

/** mulberry32: a tiny, fast 32-bit PRNG; the same seed always yields the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

export interface ProduceLoopOptions<T> {
  producer: ProducerPort;
  topic: string;
  /** Records to send; 0 = until the signal aborts. */
  count: number;
  /** Records per second; 0 = as fast as possible. */
  rate: number;
  /** Records per send (one request per batch, never one await per record). Default 1000. */
  batchSize?: number;
  next: () => T;
  /** Turns an item into key and value bytes. */
  encode: (item: T) => { key: string | null; value: string | null };
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

/** Sends `count` records in batches, pacing batches to `rate` records/s. Resolves with the number sent. */
export async function produceLoop<T>(o: ProduceLoopOptions<T>): Promise<number> {
  const batchSize = o.batchSize ?? 1000;
  // Small batches under a rate limit (about 10 per second) keep the flow smooth rather than bursty.
  const perBatch = o.rate > 0 ? Math.max(1, Math.min(batchSize, Math.ceil(o.rate / 10))) : batchSize;
  const started = Date.now();
  let sent = 0;
  while ((o.count === 0 || sent < o.count) && !o.signal?.aborted) {
    const n = o.count === 0 ? perBatch : Math.min(perBatch, o.count - sent);
    const now = Date.now();
    const batch = Array.from({ length: n }, () => {
      const { key, value } = o.encode(o.next());
      return {
        topic: o.topic,
        key: key === null ? null : Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        timestamp: now,
        headers: {},
      };
    });
    await o.producer.send(batch);
    sent += n;
    o.onProgress?.(sent);
    if (o.rate > 0) {
      const wait = started + (sent / o.rate) * 1000 - Date.now();
      if (wait > 0) await sleep(wait, o.signal);
    }
  }
  return sent;
}

/** Waits `ms` or until the signal aborts; the listener is removed either way (no leak per batch). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
