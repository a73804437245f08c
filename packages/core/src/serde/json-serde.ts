import { TributaryError } from '../errors.js';
import { bigintReplacer, bigintReviver } from './json-bigint.js';
import type { Serde } from './serde.js';

export interface JsonSerdeOptions {
  /**
   * Deepest nesting of arrays and objects a value may have, at decode and encode. Default 1000.
   * Deeper input is a SERDE_ERROR instead of a value that overflows the stack of whatever recurses
   * over it next (JSON.stringify, msgpack, user code).
   */
  readonly maxDepth?: number;
  /**
   * Carry bigints: encoded as `{"$bigint":"<decimal>"}` and decoded back to bigint. Default false: a
   * bigint is a SERDE_ERROR at encode, as in JSON.stringify.
   */
  readonly bigints?: boolean;
}

type Reviver = (key: string, value: unknown) => unknown;

const DEFAULT_MAX_DEPTH = 1000;

/** Decodes UTF-8 strictly: malformed bytes are an error, never replaced by U+FFFD. A BOM is dropped. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function serdeError(message: string, topic: string | undefined, cause?: unknown): TributaryError {
  const where = topic ? ` (topic ${topic})` : '';
  return new TributaryError('SERDE_ERROR', `${message}${where}`, cause === undefined ? {} : { cause });
}

/** Strict UTF-8 to string; SERDE_ERROR for invalid UTF-8 (what a hostile producer may send). */
export function decodeUtf8(bytes: Uint8Array, topic?: string): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw serdeError('invalid UTF-8', topic, err);
  }
}

/**
 * Index of the quote that closes the string opened at `open` (the next one not preceded by an odd
 * run of backslashes), or -1. Found with `indexOf`, which runs natively, so a long string value
 * costs little.
 */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return -1;
    let b = q - 1;
    while (text.charCodeAt(b) === 92) b--; // stops at the opening quote at the latest
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

/**
 * Whether a JSON text nests arrays and objects deeper than `limit`, counting brackets outside
 * strings; stops at the first bracket past the limit. Only quotes and brackets matter, so every
 * character below '[' but the quote (digits, punctuation, whitespace) is passed over at once.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 91 && c !== 34) continue;
    if (c === 34) {
      i = stringEnd(text, i);
      if (i < 0) return false; // unterminated string: JSON.parse reports it
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Reviver that rejects `__proto__` keys (also when spelled with escapes, which decode to it). */
function noProtoKeys(this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('key "__proto__" is not allowed');
  return value;
}

/**
 * A `\u` escape of one of the characters of `__proto__`: `_` 5f, `o` 6f, `p` 70, `r` 72, `t` 74
 * (hex digits in either case). Any other escape cannot help spell the key.
 */
const PROTO_CHAR_ESCAPE = /\\u00(?:5f|6f|7[024])/i;

/**
 * Whether a JSON text could hold a `__proto__` key: literally, or with at least one of its
 * characters escaped. False positives (the word inside a string value) only cost the reviver.
 */
export function mayHoldProtoKey(text: string): boolean {
  return text.includes('__proto__') || (text.includes('\\u') && PROTO_CHAR_ESCAPE.test(text));
}

/** Parses a JSON text with the hostile-input rules of `Serdes.json` (see docs/security.md). */
export function parseJsonStrict(text: string, maxDepth: number, topic?: string, revive?: Reviver): unknown {
  // A value nests at most one level per two characters, so short texts skip the depth scan.
  if (text.length > 2 * maxDepth && nestsDeeperThan(text, maxDepth))
    throw serdeError(`JSON nested deeper than ${maxDepth} levels`, topic);
  // JSON.parse makes `__proto__` an own property, harmless by itself, but it turns into a prototype
  // change in Object.assign / for-in merges downstream: such values are refused. Only texts that
  // could hold the key (literally, or through an escape) pay for the reviver.
  const guarded = mayHoldProtoKey(text);
  const reviver: Reviver | undefined =
    revive && guarded
      ? function (this: unknown, key, value) {
          return revive(key, noProtoKeys.call(this, key, value));
        }
      : (revive ?? (guarded ? noProtoKeys : undefined));
  try {
    return JSON.parse(text, reviver);
  } catch (err) {
    throw serdeError(`JSON parse failed: ${(err as Error)?.message ?? err}`, topic, err);
  }
}

/**
 * JSON as UTF-8 text. Decoding is strict: invalid UTF-8, nesting deeper than `maxDepth` and
 * `__proto__` keys are SERDE_ERRORs. Numbers are JS doubles: integers beyond 2^53 lose precision
 * exactly as in JSON.parse (send them as strings to keep them exact). `null` stays null.
 */
export function jsonSerde<T>(opts: JsonSerdeOptions = {}): Serde<T> {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const replacer = opts.bigints ? bigintReplacer : undefined;
  const reviver = opts.bigints ? bigintReviver : undefined;
  if (!Number.isInteger(maxDepth) || maxDepth < 1)
    throw new TributaryError('CONFIG_INVALID', `json maxDepth must be a positive integer, got ${maxDepth}`);
  return {
    serialize: (v, topic) => {
      if (v === null || v === undefined) return null;
      let text: string;
      try {
        text = JSON.stringify(v, replacer);
      } catch (err) {
        // Cycles, BigInt, and values deep enough to overflow the stack (a RangeError) end up here.
        throw serdeError(`JSON serialize failed: ${(err as Error)?.message ?? err}`, topic, err);
      }
      if (text === undefined) throw serdeError(`JSON serialize failed: ${typeof v} has no JSON form`, topic);
      if (text.length > 2 * maxDepth && nestsDeeperThan(text, maxDepth))
        throw serdeError(`JSON nested deeper than ${maxDepth} levels`, topic);
      return Buffer.from(text, 'utf8');
    },
    deserialize: (b, topic) => {
      if (b === null) return null as T;
      return parseJsonStrict(decodeUtf8(b, topic), maxDepth, topic, reviver) as T;
    },
  };
}
