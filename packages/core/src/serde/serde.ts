/**
 * Turns typed values into bytes and back. `null` bytes are Kafka's null (a tombstone for values):
 * serdes map null <-> null unless they say otherwise.
 */
export interface Serde<T> {
  serialize(value: T, topic?: string): Buffer | null;
  deserialize(data: Buffer | null, topic?: string): T;
}
