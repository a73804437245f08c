import type { Serde } from '../../serde/serde.js';

/**
 * A sliding window's aggregate and the largest timestamp among its records (Kafka Streams keeps the
 * same pair, ValueAndTimestamp). The timestamp tells which records a window holds, which decides the
 * windows a later record creates, and it is the timestamp of every result the window emits.
 */
export interface StampedAggregate<VA> {
  readonly value: VA;
  readonly maxTimestamp: number;
}

const PRESENT = 1;
const ABSENT = 0;

/**
 * Store bytes: one flag byte (whether the aggregate serialized to bytes or to null), the timestamp as
 * a big-endian int64, then the aggregate's own bytes. The flag keeps an aggregate that serializes to
 * zero bytes (an empty string) apart from one that serializes to null.
 */
export function stampedAggregateSerde<VA>(inner: Serde<VA>): Serde<StampedAggregate<VA>> {
  return {
    serialize: (s, topic) => {
      const bytes = inner.serialize(s.value, topic);
      const head = Buffer.alloc(9);
      head.writeUInt8(bytes === null ? ABSENT : PRESENT, 0);
      head.writeBigInt64BE(BigInt(s.maxTimestamp), 1);
      return bytes === null ? head : Buffer.concat([head, bytes]);
    },
    deserialize: (b, topic) => {
      if (b === null) return null as unknown as StampedAggregate<VA>;
      const maxTimestamp = Number(b.readBigInt64BE(1));
      const value = inner.deserialize(b.readUInt8(0) === PRESENT ? b.subarray(9) : null, topic);
      return { value, maxTimestamp };
    },
  };
}
