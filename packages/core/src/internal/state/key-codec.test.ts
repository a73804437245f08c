import { describe, expect, it } from 'vitest';
import { prefixUpperBound, readOrderedInt64, windowKeyCodec, writeOrderedInt64 } from './key-codec.js';

function lcg(seed: number) {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
}

describe('window key codec', () => {
  it('sorts encoded keys by key bytes, then window start', () => {
    const rand = lcg(7);
    const alphabet = [0x00, 0x01, 0x61, 0x62, 0xff];
    const pairs: Array<{ key: Buffer; ws: number }> = [];
    for (let i = 0; i < 400; i++) {
      const key = Buffer.from(Array.from({ length: rand(4) }, () => alphabet[rand(alphabet.length)]!));
      const ws = (rand(2) === 0 ? -1 : 1) * rand(2 ** 30) * (rand(3) === 0 ? 2 ** 20 : 1);
      pairs.push({ key, ws });
    }
    const byModel = [...pairs].sort((x, y) => Buffer.compare(x.key, y.key) || x.ws - y.ws);
    const byBytes = [...pairs].sort((x, y) =>
      Buffer.compare(windowKeyCodec.encode(x.key, x.ws), windowKeyCodec.encode(y.key, y.ws)),
    );
    expect(byBytes).toEqual(byModel);
  });

  it('round-trips key and window start', () => {
    for (const [key, ws] of [
      [Buffer.from([0, 0, 1, 0]), -1],
      [Buffer.alloc(0), 0],
      [Buffer.from('abc'), Number.MAX_SAFE_INTEGER],
      [Buffer.from([0xff, 0]), Number.MIN_SAFE_INTEGER],
    ] as const) {
      const encoded = windowKeyCodec.encode(key, ws);
      expect(windowKeyCodec.key(encoded).equals(key)).toBe(true);
      expect(windowKeyCodec.windowStart(encoded)).toBe(ws);
    }
  });

  it('writes ordered int64 as big-endian with the sign bit flipped', () => {
    const b = Buffer.alloc(8);
    writeOrderedInt64(b, 0, -1);
    expect(b.toString('hex')).toBe('7fffffffffffffff');
    writeOrderedInt64(b, 0, 1);
    expect(b.toString('hex')).toBe('8000000000000001');
    expect(readOrderedInt64(b, 0)).toBe(1);
    expect(() => writeOrderedInt64(b, 0, 0.5)).toThrow(RangeError);
  });

  it('computes prefix upper bounds', () => {
    expect(prefixUpperBound(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 3]));
    expect(prefixUpperBound(Buffer.from([1, 0xff, 0xff]))).toEqual(Buffer.from([2]));
    expect(prefixUpperBound(Buffer.from([0xff]))).toBeUndefined();
  });
});
