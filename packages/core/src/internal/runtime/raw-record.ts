import type { Headers } from '../../record.js';

/** A record as consumed from Kafka, before deserialization. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A record to produce. Without `partition` the producer partitions by key (murmur2, as Java does). */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly partition?: number;
}

/** Where a task's output goes: buffered and produced in batches by the runtime. */
export interface RecordCollector {
  send(record: OutgoingRecord): void;
}
