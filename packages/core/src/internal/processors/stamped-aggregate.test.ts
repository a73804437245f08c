import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { stampedAggregateSerde } from './stamped-aggregate.js';

describe('stampedAggregateSerde', () => {
  it('keeps an empty aggregate apart from a null one, and the timestamp exact', () => {
    const serde = stampedAggregateSerde(Serdes.string());
    const roundTrip = (value: string | null, maxTimestamp: number) =>
      serde.deserialize(serde.serialize({ value: value as string, maxTimestamp }));
    expect(roundTrip('', 0)).toEqual({ value: '', maxTimestamp: 0 });
    expect(roundTrip(null, 1_764_000_000_123)).toEqual({ value: null, maxTimestamp: 1_764_000_000_123 });
    expect(roundTrip('p+q', Number.MAX_SAFE_INTEGER)).toEqual({
      value: 'p+q',
      maxTimestamp: Number.MAX_SAFE_INTEGER,
    });
  });

  it('wraps any inner serde: msgpack objects', () => {
    const serde = stampedAggregateSerde(Serdes.msgpack<{ n: number }>());
    const bytes = serde.serialize({ value: { n: 3 }, maxTimestamp: 42 }) as Buffer;
    expect(bytes.readBigInt64BE(1)).toBe(42n);
    expect(serde.deserialize(bytes)).toEqual({ value: { n: 3 }, maxTimestamp: 42 });
  });
});
