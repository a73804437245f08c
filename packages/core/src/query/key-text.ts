import { TributaryError } from '../errors.js';
import { bigintAsDecimal } from '../serde/json-bigint.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';

/**
 * A key as text (a URL path segment) to the store's key type: the string itself for string keys, a
 * decimal for int64 and double keys, and JSON for every other serde (`42`, `"abc"`, `{"id":1}`).
 */
export function parseKeyText(text: string, serde: Serde<unknown>): unknown {
  const invalid = (what: string) =>
    new TributaryError('QUERY_INVALID', `key ${JSON.stringify(text.slice(0, 100))} is not ${what}`);
  if (serde === (Serdes.string() as Serde<unknown>)) return text;
  if (serde === (Serdes.int64() as Serde<unknown>)) {
    if (!/^-?\d{1,19}$/.test(text)) throw invalid('an integer');
    return BigInt(text);
  }
  if (serde === (Serdes.double() as Serde<unknown>)) {
    const n = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(n)) throw invalid('a number');
    return n;
  }
  if (serde === (Serdes.bytes() as Serde<unknown>)) return Buffer.from(text, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('JSON (string keys of a JSON or msgpack serde are quoted: "abc")');
  }
}

/** JSON for HTTP answers: bigint as a decimal string, Buffers as base64. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => {
    if (typeof v === 'bigint') return bigintAsDecimal(k, v);
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && 'data' in v)
      return Buffer.from((v as { data: number[] }).data).toString('base64');
    return v;
  });
}
