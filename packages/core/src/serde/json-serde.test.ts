import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { mayHoldProtoKey, nestsDeeperThan } from './json-serde.js';
import { Serdes } from './serdes.js';

/** mulberry32: a small seeded generator, so every run tries the same cases. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
type Rng = ReturnType<typeof prng>;

/**
 * The generator's own model of a JSON value: objects are key/value pairs (so a `__proto__` key is
 * just data), numbers keep the text they are written with. Encoding and the expected decoded value
 * are both computed from it here, without JSON.parse.
 */
type Node =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; text: string }
  | { t: 'str'; v: string }
  | { t: 'arr'; items: Node[] }
  | { t: 'obj'; entries: [string, Node][] };

const KEYS = ['a', 'id', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'é', '日本', '😀', ''];
const CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  'é',
  '€',
  '日',
  '😀',
  '\u2028',
];

function genString(r: Rng): string {
  let s = '';
  for (let i = r.int(8); i > 0; i--) s += r.pick(CHARS);
  return s;
}

function genNumber(r: Rng): string {
  switch (r.int(6)) {
    case 0:
      return String(r.int(1000) - 500);
    case 1: // beyond 2^53: decodes to the nearest double
      return `${r.int(2) ? '-' : ''}${9_007_199_254_740_993n + BigInt(r.int(1e9))}`;
    case 2:
      return '123456789012345678901234567890';
    case 3:
      return `${r.int(100)}.${r.int(1000)}e${r.int(40) - 20}`;
    case 4:
      return r.pick(['0', '-0', '1e308', '-1e-320', '2e308']); // 2e308 is Infinity, as JSON.parse gives
    default:
      return String(r.next());
  }
}

function genNode(r: Rng, depth: number, protoChance: number): Node {
  const k = depth >= 5 ? r.int(4) : r.int(6);
  if (k === 0) return { t: 'null' };
  if (k === 1) return { t: 'bool', v: r.int(2) === 1 };
  if (k === 2) return { t: 'num', text: genNumber(r) };
  if (k === 3) return { t: 'str', v: genString(r) };
  if (k === 4)
    return { t: 'arr', items: Array.from({ length: r.int(4) }, () => genNode(r, depth + 1, protoChance)) };
  const keys = new Set<string>();
  for (let i = r.int(5); i > 0; i--)
    keys.add(r.next() < protoChance ? '__proto__' : r.pick(KEYS) + (r.int(3) || ''));
  return { t: 'obj', entries: [...keys].map((key) => [key, genNode(r, depth + 1, protoChance)]) };
}

/** JSON text of a string: required escapes, and random optional ones (\uXXXX, surrogate pairs too). */
function encodeString(r: Rng, s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || r.int(8) === 0)
      out += ch
        .split('')
        .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .join('');
    else out += ch;
  }
  return `${out}"`;
}

function encode(r: Rng, n: Node): string {
  const ws = () => r.pick(['', '', ' ', '\n', '\t ', '\r\n']);
  switch (n.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(n.v);
    case 'num':
      return n.text;
    case 'str':
      return encodeString(r, n.v);
    case 'arr':
      return `[${ws()}${n.items.map((x) => encode(r, x)).join(`${ws()},${ws()}`)}${ws()}]`;
    case 'obj':
      return `{${ws()}${n.entries.map(([k, v]) => `${encodeString(r, k)}${ws()}:${ws()}${encode(r, v)}`).join(',')}${ws()}}`;
  }
}

function hasProtoKey(n: Node): boolean {
  if (n.t === 'arr') return n.items.some(hasProtoKey);
  if (n.t === 'obj') return n.entries.some(([k, v]) => k === '__proto__' || hasProtoKey(v));
  return false;
}

/** The value the serde must return, built with defineProperty (no setter ever runs). */
function expected(n: Node): unknown {
  switch (n.t) {
    case 'null':
      return null;
    case 'bool':
    case 'str':
      return n.v;
    case 'num':
      return Number(n.text);
    case 'arr':
      return n.items.map(expected);
    case 'obj': {
      const o = {};
      for (const [k, v] of n.entries)
        Object.defineProperty(o, k, {
          value: expected(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return o;
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b))
    return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0x80], // lone continuation byte
  [0xe2, 0x82], // truncated 3-byte sequence
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
];

function deepText(r: Rng, depth: number): string {
  return r.int(2)
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** JSON.parse of the bytes as UTF-8 (a leading BOM dropped, as the serde does); a symbol if invalid. */
function referenceParse(bytes: Buffer): unknown {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    return JSON.parse(bytes.subarray(bom ? 3 : 0).toString('utf8'));
  } catch {
    return Symbol('invalid');
  }
}

describe('Serdes.json on hostile input (seeded fuzz)', () => {
  it('decodes 120,000 cases equal to the reference or fails with SERDE_ERROR; never pollutes a prototype', () => {
    const serde = Serdes.json<unknown>();
    const r = prng(20_261_203);
    const counts: Record<string, number> = {};
    const protoNames = Object.getOwnPropertyNames(Object.prototype);
    const wrong: string[] = [];
    const check = (kind: string, bytes: Buffer, want: { value: unknown } | 'error' | 'either') => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      let got: { value: unknown } | { err: unknown };
      try {
        got = { value: serde.deserialize(bytes, 't') };
      } catch (err) {
        got = { err };
      }
      if ('err' in got) {
        if (!isTributaryError(got.err, 'SERDE_ERROR'))
          wrong.push(`${kind}: untyped error ${String(got.err)}`);
        else if (want !== 'error' && want !== 'either')
          wrong.push(`${kind}: ${got.err.message} for ${bytes}`);
      } else if (want === 'error') wrong.push(`${kind}: decoded ${bytes.toString('hex').slice(0, 80)}`);
      else if (want === 'either') {
        // Random bytes that happen to be JSON: only valid UTF-8 may decode, to what the bytes say.
        if (!isUtf8(bytes) || !same(got.value, referenceParse(bytes)))
          wrong.push(`${kind}: decoded ${bytes.toString('hex')}`);
      } else if (!same(got.value, want.value)) wrong.push(`${kind}: wrong value for ${bytes}`);
    };

    for (let i = 0; i < 120_000; i++) {
      const roll = r.int(100);
      if (roll < 40) {
        const node = genNode(r, 0, 0.04);
        const text = encode(r, node);
        check(
          hasProtoKey(node) ? '__proto__ key' : 'valid',
          Buffer.from(text, 'utf8'),
          hasProtoKey(node) ? 'error' : { value: expected(node) },
        );
      } else if (roll < 55) {
        const bytes = Buffer.from(encode(r, genNode(r, 0, 0)), 'utf8');
        const at = r.int(bytes.length + 1);
        const bad = Buffer.from(r.pick(INVALID_UTF8));
        check('invalid UTF-8', Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]), 'error');
      } else if (roll < 75) {
        // Wrapped in an array with nothing after the last bracket: every proper prefix is invalid JSON.
        const bytes = Buffer.from(`[${encode(r, genNode(r, 1, 0))}]`, 'utf8');
        check('truncated', bytes.subarray(0, r.int(bytes.length)), 'error');
      } else if (roll < 76) {
        check('deep (> maxDepth)', Buffer.from(deepText(r, 1001 + r.int(12_000))), 'error');
      } else if (roll < 77) {
        const depth = 1 + r.int(1000);
        const text = deepText(r, depth);
        check('deep (<= maxDepth)', Buffer.from(text), { value: JSON.parse(text) });
      } else {
        const len = r.int(24);
        const bytes = Buffer.alloc(len);
        for (let j = 0; j < len; j++)
          bytes[j] = r.int(4) === 0 ? r.pick([0x22, 0x7b, 0x5b, 0x31, 0x20]) : r.int(256);
        check('random bytes', bytes, 'either');
      }
    }
    if (process.env.FUZZ_COUNTS) console.log(counts);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(120_000);
    for (const kind of [
      'valid',
      '__proto__ key',
      'invalid UTF-8',
      'truncated',
      'deep (> maxDepth)',
      'random bytes',
    ])
      expect(counts[kind], kind).toBeGreaterThan(500);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(protoNames);
  });

  it('10,000-deep nesting is an error at both ends, never a stack overflow', () => {
    const serde = Serdes.json<unknown>();
    const deep = Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(() => serde.deserialize(deep, 't')).toThrow(/nested deeper than 1000 levels/);
    let v: unknown = 1;
    for (let i = 0; i < 10_000; i++) v = { a: v };
    expect(() => serde.serialize(v, 't')).toThrow(expect.objectContaining({ code: 'SERDE_ERROR' }));
    expect(Serdes.json({ maxDepth: 20_000 }).deserialize(deep, 't')).toBeInstanceOf(Array);
  });

  it('__proto__ keys are refused, also written with escapes; constructor keys are plain data', () => {
    const serde = Serdes.json<Record<string, unknown>>();
    const protoNames = Object.getOwnPropertyNames(Object.prototype);
    for (const text of ['{"__proto__":{"polluted":1}}', '{"a":[{"\\u005f_proto__":{"polluted":1}}]}'])
      expect(() => serde.deserialize(Buffer.from(text), 't')).toThrow(/__proto__/);
    const v = serde.deserialize(Buffer.from('{"constructor":{"prototype":{"polluted":1}}}'), 't');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(protoNames);
    expect(Object.keys(v)).toEqual(['constructor']);
  });

  it('a __proto__ key with any one of its characters escaped is refused; other escapes skip the reviver', () => {
    const serde = Serdes.json<Record<string, unknown>>();
    const key = '__proto__';
    for (let i = 0; i < key.length; i++) {
      for (const hex of [(c: number) => c.toString(16), (c: number) => c.toString(16).toUpperCase()]) {
        const spelled = `${key.slice(0, i)}\\u${hex(key.charCodeAt(i)).padStart(4, '0')}${key.slice(i + 1)}`;
        const text = `{"ok":1,"${spelled}":{"polluted":1}}`;
        expect(mayHoldProtoKey(text), spelled).toBe(true);
        expect(() => serde.deserialize(Buffer.from(text), 't'), spelled).toThrow(
          /"__proto__" is not allowed/,
        );
      }
    }
    // Escapes of other characters cannot spell the key: plain JSON.parse, same value.
    const other = '{"caf\\u00e9":"\\u0041\\u005cu005f","\\u00e9t\\u00e9":[1]}';
    expect(mayHoldProtoKey(other)).toBe(false);
    expect(serde.deserialize(Buffer.from(other), 't')).toEqual(JSON.parse(other));
    // The word inside a value only costs the reviver; the value is still decoded.
    expect(serde.deserialize(Buffer.from('{"note":"__proto__"}'), 't')).toEqual({ note: '__proto__' });
  });

  it('nesting is counted on brackets outside strings only, escaped quotes and backslashes included', () => {
    const cases: [string, number][] = [
      ['[]', 1],
      ['[[["[[[[", "]]"], {"a": "{\\"[["}]]', 3],
      ['["\\\\", [["\\\\\\"]]"]]]', 3],
      [`{"s":"${'['.repeat(5000)}","t":[[1]]}`, 3],
      [`[{"a":"\\\\"},${'['.repeat(20)}${']'.repeat(20)}]`, 21],
      ['["unterminated [[[[', 1],
    ];
    for (const [text, depth] of cases) {
      expect(nestsDeeperThan(text, depth), text).toBe(false);
      expect(nestsDeeperThan(text, depth - 1), text).toBe(true);
    }
  });

  it('integers beyond 2^53 decode to the nearest double', () => {
    const serde = Serdes.json<number[]>();
    expect(serde.deserialize(Buffer.from('[9007199254740993, 12345678901234567890]'), 't')).toEqual([
      9007199254740992, 12345678901234567000,
    ]);
  });
  it('bigints: true carries bigints through a round trip, and keeps the __proto__ rule', () => {
    const serde = Serdes.json<unknown>({ bigints: true });
    const value = { offset: 12345678901234567890n, list: [-1n, 2], nested: { at: 0n }, text: '7' };
    const bytes = serde.serialize(value, 't') as Buffer;
    expect(JSON.parse(bytes.toString('utf8')).offset).toEqual({ $bigint: '12345678901234567890' });
    expect(serde.deserialize(bytes, 't')).toEqual(value);
    // Not the tag alone, or not a decimal: plain data.
    const plain = ['{"$bigint":"12","x":1}', '{"$bigint":"1e3"}', '{"$bigint":12}'];
    for (const text of plain) expect(serde.deserialize(Buffer.from(text), 't')).toEqual(JSON.parse(text));
    expect(() => serde.deserialize(Buffer.from('{"\\u005f_proto__":{"$bigint":"1"}}'), 't')).toThrow(
      /__proto__/,
    );
    // Without the option a bigint is an error, as in JSON.stringify.
    expect(() => Serdes.json().serialize({ n: 1n }, 't')).toThrow(
      expect.objectContaining({ code: 'SERDE_ERROR' }),
    );
  });
});
