import { describe, expect, it } from 'vitest';
import { JoinBufferIndex } from './join-buffer-index.js';

const b = (s: string) => Buffer.from(s);
const texts = (slots: { ts: number; values: Buffer[] }[] | undefined) =>
  slots?.map((s) => `${s.ts}:${s.values.map((v) => v.toString()).join(',')}`);

describe('JoinBufferIndex', () => {
  it('answers a key range in timestamp order, duplicates of a timestamp in arrival order', () => {
    const index = new JoinBufferIndex(1 << 20);
    index.append('a', 20, b('x'));
    index.append('a', 10, b('y')); // out of order
    index.append('a', 20, b('z'));
    index.append('b', 15, b('w'));
    expect(texts(index.range('a', 0, 100))).toEqual(['10:y', '20:x,z']);
    expect(texts(index.range('a', 11, 20))).toEqual(['20:x,z']);
    expect(texts(index.range('a', 10, 19))).toEqual(['10:y']);
    expect(texts(index.range('b', 16, 100))).toEqual([]);
    expect(texts(index.range('c', 0, 100))).toEqual([]);
    expect(index.slot('a', 20)?.values.length).toBe(2);
    expect(index.slot('a', 15)).toBeUndefined();
  });

  it('forgets what is behind a bound, and then refuses lookups that reach below it', () => {
    const index = new JoinBufferIndex(1 << 20);
    for (const ts of [5, 10, 15]) index.append('a', ts, b(`v${ts}`));
    index.dropBefore(10);
    expect(index.completeFrom).toBe(10);
    expect(texts(index.range('a', 10, 20))).toEqual(['10:v10', '15:v15']);
    expect(index.range('a', 9, 20)).toBeUndefined();
    index.append('a', 7, b('late')); // below completeFrom: left to the store
    expect(texts(index.range('a', 10, 20))).toEqual(['10:v10', '15:v15']);
  });

  it('drops the oldest timestamps past its byte budget and stays exact above them', () => {
    const index = new JoinBufferIndex(400); // two slots of one small value fit (64 + 1 + 96 + 2 each)
    index.append('a', 30, b('v3'));
    index.append('b', 10, b('v1'));
    expect(index.completeFrom).toBe(Number.NEGATIVE_INFINITY);
    index.append('a', 20, b('v2')); // over budget: ts 10 goes
    expect(index.completeFrom).toBe(11);
    expect(index.sizeBytes).toBeLessThanOrEqual(400);
    expect(index.range('b', 10, 40)).toBeUndefined();
    expect(texts(index.range('b', 11, 40))).toEqual([]);
    expect(texts(index.range('a', 11, 40))).toEqual(['20:v2', '30:v3']);
    const none = new JoinBufferIndex(0);
    none.append('a', 5, b('v'));
    expect(none.sizeBytes).toBe(0);
    expect(none.range('a', 0, 10)).toBeUndefined();
  });
});
