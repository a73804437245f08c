import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RecordMetadata, StreamRecord } from '../record.js';

/** The input offsets one task commit covers, per source partition (both ends inclusive). */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

export interface SinkTaskContext {
  readonly applicationId: string;
  readonly taskId: string;
  /**
   * Committed input offsets (next offset to read) of the task's source partitions when the task
   * opened, keyed `topic:partition`. A sink uses them to remove files it published for offsets that
   * were never committed (the crash window between publishing and the offset commit).
   */
  readonly committedOffsets: ReadonlyMap<string, bigint>;
  /** Ask the runtime to commit this task soon (e.g. a file reached its size or age limit). */
  requestCommit(): void;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * One task's part of a sink outside Kafka. The runtime drives it through the commit protocol:
 * write* -> prepare (pending data to temporary files) -> [changelog + producer flush] -> publish
 * (atomic rename) -> input offsets committed. `abort` drops prepared but unpublished files.
 */
export interface SinkTask<K, V> {
  /** Synchronous and buffered; never one I/O per record. */
  write(record: StreamRecord<K, V>, metadata: RecordMetadata | undefined): void;
  prepare(range: readonly OffsetRange[]): Promise<void>;
  publish(): Promise<void>;
  abort(): Promise<void>;
  /** Wall-clock tick (about once a second) for age-based rolling. */
  tick?(now: number): void;
  close(): Promise<void>;
}

/** A terminal operation: `stream.sink(parquetSink({...}))`. */
export interface Sink<K, V> {
  readonly name: string;
  /** Short text for topology.describe(), e.g. "parquet:/data/out partitionBy=network_id". */
  describe(): string;
  openTask(context: SinkTaskContext): Promise<SinkTask<K, V>>;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
