import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './murmur2.js';

describe('murmur2', () => {
  it('matches the Java client on its published test vectors', () => {
    const cases: [string | number[], number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [[97, 98, 99], 479470107],
    ];
    for (const [input, expected] of cases) {
      const bytes = typeof input === 'string' ? Buffer.from(input) : Uint8Array.from(input);
      expect(murmur2(bytes)).toBe(expected);
    }
  });

  it('picks the same partition as kafkajs for 5,000 random keys of every tail length', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    let seed = 42;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      const key = Buffer.alloc(next() % 40);
      for (let j = 0; j < key.length; j++) key[j] = next() & 0xff;
      const count = 1 + (next() % 64);
      const partitionMetadata = Array.from({ length: count }, (_, p) => ({
        partitionId: p,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      expect(partitionForKey(key, count)).toBe(
        kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
      );
    }
  });
});
