import type { Headers } from '../record.js';
import type { ChangelogReader } from '../state/store.js';

// The narrow ports through which the runtime talks to Kafka. Two adapters implement them: kafkajs
// (kafkajs-*.ts) and @platformatic/kafka (platformatic/), selected by TributaryConfig.kafkaClient.

/** A record as consumed from Kafka, before deserialization. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  /**
   * The upstream task's watermark stamped on a repartitioned record (header
   * `WATERMARK_STAMP_HEADER`), kept apart from `headers` so no processor ever sees it.
   */
  readonly watermark?: Buffer | undefined;
}

/** Header carrying a repartitioned record's watermark stamp on the wire (see RawRecord.watermark). */
export const WATERMARK_STAMP_HEADER = 'tributary-wm';

/** A record to produce. Without `partition` the producer partitions by key (murmur2, as Java does). */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly partition?: number;
  /** Sent as header `WATERMARK_STAMP_HEADER`. */
  readonly watermark?: Buffer;
}

/** What a watermark stamp adds to a record: the header name and its 14-byte value. */
export const WATERMARK_STAMP_BYTES = 26;

/**
 * About the bytes a record takes in a record batch on the wire: key, value, header names and values
 * and ~70 bytes of batch and record framing. The send chunking and the record size limit use it.
 */
export function approxRecordSize(r: OutgoingRecord): number {
  let n = 70 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const k in r.headers) n += k.length + (r.headers[k]?.length ?? 0);
  if (r.watermark) n += WATERMARK_STAMP_BYTES;
  return n;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  readonly offset: bigint;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface AdminPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Partition counts of existing topics; missing topics are absent from the map. */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  /** Creates topics that do not exist yet (existing ones are left as they are). */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Committed offsets of a consumer group, keyed `topic:partition`. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, bigint>>;
  /** End offsets (high watermark) per partition. */
  endOffsets(topic: string): Promise<Map<number, bigint>>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Deletes records before the given offsets (repartition topics, once consumed and committed). */
  deleteRecordsBefore(topic: string, offsets: ReadonlyMap<number, bigint>): Promise<void>;
}

export interface ConsumerHandlers {
  /** The group assigned these partitions (eager protocol: the full new assignment). */
  onAssigned(assignment: readonly TopicPartition[]): void;
  /**
   * Records of one partition in offset order. Throwing stops the consumer. `highWatermark` is the
   * partition's end offset as of the fetch, for lag tracking. `isStale()` turns true when a seek()
   * for the partition happened after this batch was fetched: its records will come again from the
   * seek offset, so it must be dropped (checked when processing starts, which may be later).
   */
  onBatch(
    records: readonly RawRecord[],
    heartbeat: () => Promise<void>,
    highWatermark: bigint,
    isStale: () => boolean,
  ): Promise<void>;
  /**
   * The consumer's position moved to `nextOffset` (also past batches holding only transaction
   * markers or aborted records, which never reach onBatch); `highWatermark` as of that fetch.
   */
  onPosition?(topic: string, partition: number, nextOffset: bigint, highWatermark: bigint): void;
  /** A rebalance started: commit soon, the partitions may move. */
  onRebalancing(): void;
  /** The consumer crashed and will not restart. */
  onCrash(error: unknown): void;
}

export interface ConsumerPort {
  connect(): Promise<void>;
  subscribe(topics: readonly string[]): Promise<void>;
  run(handlers: ConsumerHandlers): Promise<void>;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Moves the fetch position of assigned partitions; records from there are delivered again. */
  seek(offsets: readonly TopicPartitionOffset[]): void;
  /** The consumer group, for transactional offset commits. */
  readonly groupId: string;
  disconnect(): Promise<void>;
}

export interface ProducedOffset extends TopicPartition {
  /** Offset of the last record written to this partition by the call. */
  readonly lastOffset: bigint;
}

export interface TransactionPort {
  send(records: readonly OutgoingRecord[]): Promise<ProducedOffset[]>;
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ProducerPort {
  /**
   * Transactional producers: resolves only once the previous producer of the same transactional id
   * is fenced (its open transaction aborted, no further commit possible), like Kafka's initTransactions().
   */
  connect(): Promise<void>;
  /** Sends records in as few requests as possible (acks=all); resolves when all are acknowledged. */
  send(records: readonly OutgoingRecord[]): Promise<ProducedOffset[]>;
  /** Transactional producers only. */
  beginTransaction(): Promise<TransactionPort>;
  disconnect(): Promise<void>;
}

export interface KafkaPort {
  admin(): AdminPort;
  consumer(opts: {
    groupId: string;
    readCommitted: boolean;
    sessionTimeoutMs: number;
    /** Partition numbers this instance holds tasks for; the assignor keeps them here when it can. */
    ownedPartitions?: () => readonly number[];
    /** Static membership (group.instance.id), where the client supports it; kafkajs ignores it. */
    groupInstanceId?: string;
  }): ConsumerPort;
  producer(opts: { transactionalId?: string; idempotent?: boolean }): ProducerPort;
  changelogReader(): ChangelogReader;
  /** Reads topics from the beginning and keeps following them (global tables). */
  tailer(opts: { groupId: string }): TopicTailer;
}

export interface TopicTailer {
  /** Reads every partition up to its current end, then keeps delivering new records until stopped. */
  start(topics: readonly string[], onBatch: (records: readonly RawRecord[]) => void): Promise<void>;
  stop(): Promise<void>;
}
