/** Header values travel as bytes; strings are accepted on write for convenience. */
export type Headers = Record<string, Buffer | string | undefined>;

/** A record as processors see it: typed key and value, event timestamp (epoch ms), headers. */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from. Absent for records created by punctuators. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** Computes the event time of a consumed record; the Kafka record timestamp is passed in. */
export type TimestampExtractor<K = unknown, V = unknown> = (record: {
  key: K;
  value: V;
  timestamp: number;
  topic: string;
}) => number;

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

export function record<K, V>(key: K, value: V, timestamp: number, headers: Headers = {}): StreamRecord<K, V> {
  return { key, value, timestamp, headers };
}
