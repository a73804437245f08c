import { createHash } from 'node:crypto';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';

/**
 * What a left row asks of its foreign key's partition (KIP-213's subscription instructions):
 * - `deleteNoPropagate`: forget the subscription, answer nothing (the row moved to another key);
 * - `deleteAndPropagate`: forget it and answer with no right value (the result is retracted);
 * - `propagateNullIfNoValue`: subscribe and always answer, with the right value or none;
 * - `propagateOnlyIfValue`: subscribe and answer only when the right row exists.
 */
export type SubscriptionInstruction =
  | 'deleteNoPropagate'
  | 'deleteAndPropagate'
  | 'propagateNullIfNoValue'
  | 'propagateOnlyIfValue';

const INSTRUCTIONS: readonly SubscriptionInstruction[] = [
  'deleteNoPropagate',
  'deleteAndPropagate',
  'propagateNullIfNoValue',
  'propagateOnlyIfValue',
];

/** On the subscription topic, keyed by the foreign key's bytes. */
export interface Subscription {
  /** Digest of the left value the subscription was sent for; null for a deleted row. */
  readonly hash: Buffer | null;
  readonly instruction: SubscriptionInstruction;
  /** The left row's key, in the left key serde's bytes. */
  readonly primaryKey: Buffer;
}

/** On the response topic, keyed by the left row's key bytes. */
export interface SubscriptionResponse {
  /** The hash of the subscription this answers: a response for an older left value is dropped. */
  readonly hash: Buffer | null;
  /** The right value, in the right value serde's bytes; null where the right row is missing. */
  readonly foreignValue: Buffer | null;
}

const bin = (b: unknown): Buffer | null =>
  b === null || b === undefined ? null : Buffer.from(b as Uint8Array);

export function subscriptionSerde(): Serde<Subscription> {
  const inner = Serdes.msgpack<{ h: Buffer | null; i: number; k: Buffer }>();
  return {
    serialize: (s, topic) =>
      inner.serialize({ h: s.hash, i: INSTRUCTIONS.indexOf(s.instruction), k: s.primaryKey }, topic),
    deserialize: (b, topic) => {
      const w = inner.deserialize(b, topic);
      const instruction = INSTRUCTIONS[w.i];
      if (instruction === undefined) throw new Error(`unknown subscription instruction ${w.i}`);
      return { hash: bin(w.h), instruction, primaryKey: bin(w.k) ?? Buffer.alloc(0) };
    },
  };
}

export function responseSerde(): Serde<SubscriptionResponse> {
  const inner = Serdes.msgpack<{ h: Buffer | null; v: Buffer | null }>();
  return {
    serialize: (r, topic) => inner.serialize({ h: r.hash, v: r.foreignValue }, topic),
    deserialize: (b, topic) => {
      const w = inner.deserialize(b, topic);
      return { hash: bin(w.h), foreignValue: bin(w.v) };
    },
  };
}

/** The subscription store's value: the hash of the subscribed left value. */
export function subscriptionHashSerde(): Serde<{ h: Buffer | null }> {
  const inner = Serdes.msgpack<{ h: Buffer | null }>();
  return {
    serialize: (v, topic) => inner.serialize(v, topic),
    deserialize: (b, topic) => ({ h: bin(inner.deserialize(b, topic).h) }),
  };
}

/**
 * Key of the subscription store: the foreign key's length (uint32), its bytes, then the left key's
 * bytes. The length makes `prefix(fk)` match that foreign key's subscriptions and no other.
 */
export const combinedKey = {
  prefix(foreignKey: Buffer): Buffer {
    const out = Buffer.allocUnsafe(4 + foreignKey.length);
    out.writeUInt32BE(foreignKey.length, 0);
    foreignKey.copy(out, 4);
    return out;
  },
  encode(foreignKey: Buffer, primaryKey: Buffer): Buffer {
    return Buffer.concat([combinedKey.prefix(foreignKey), primaryKey]);
  },
  primaryKey(key: Buffer): Buffer {
    return key.subarray(4 + key.readUInt32BE(0));
  },
};

/**
 * The digest a response must carry to be applied: 128 bits of MD5 over the serialized left value
 * (Kafka Streams uses Murmur3; both sides of these internal topics are Tributary's own, and any
 * stable 128-bit digest detects a changed value). Null for an absent value.
 */
export function valueHash<V>(value: V | undefined, serde: Serde<V>, topic: string): Buffer | null {
  if (value === undefined) return null;
  const bytes = serde.serialize(value, topic);
  return bytes === null ? null : createHash('md5').update(bytes).digest();
}

export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
