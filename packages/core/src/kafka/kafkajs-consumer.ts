import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import { stickyTaskAssigner } from './kafkajs-assigner.js';
import { mapGroupErrors } from './kafkajs-errors.js';
import { toRawRecord } from './kafkajs-records.js';
import type { ConsumerHandlers, ConsumerPort, KafkaPort, TopicPartitionOffset } from './ports.js';

/** Fetch settings of the runtime's consumer; the bench's ceiling peer reads with the same ones. */
export const KAFKAJS_CONSUMER_FETCH = { maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 250 } as const;

/** The runtime's group consumer: manual commits, the sticky task assignor, seeks that drop stale batches. */
export class KafkajsConsumer implements ConsumerPort {
  private readonly consumer: Consumer;
  readonly groupId: string;
  /** Partitions with a seek that kafkajs has not applied yet (`topic:partition`). */
  private readonly seeking = new Set<string>();

  constructor(
    kafka: Kafka,
    opts: Parameters<KafkaPort['consumer']>[0],
    private readonly logger: Logger,
  ) {
    this.groupId = opts.groupId;
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      readUncommitted: !opts.readCommitted,
      sessionTimeout: opts.sessionTimeoutMs,
      rebalanceTimeout: Math.max(60_000, opts.sessionTimeoutMs),
      heartbeatInterval: Math.max(500, Math.floor(opts.sessionTimeoutMs / 10)),
      ...KAFKAJS_CONSUMER_FETCH,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
      partitionAssigners: [stickyTaskAssigner(opts.ownedPartitions ?? (() => []))],
    });
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    // Like Kafka Streams (auto.offset.reset=earliest): partitions without a committed offset start at the beginning.
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      // A new generation re-fetches every partition from its committed offset anyway.
      this.seeking.clear();
      const assignment = Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) =>
        (partitions as number[]).map((partition) => ({ topic, partition })),
      );
      handlers.onAssigned(assignment);
    });
    this.consumer.on(REBALANCING, () => handlers.onRebalancing());
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (e) => {
      // The end of a batch fetched before a seek says nothing about the new position.
      if (this.seeking.has(`${e.payload.topic}:${e.payload.partition}`)) return;
      handlers.onPosition?.(
        e.payload.topic,
        e.payload.partition,
        BigInt(e.payload.lastOffset) + 1n,
        BigInt(e.payload.highWatermark),
      );
    });
    this.consumer.on(CRASH, (e) => {
      if (!e.payload.restart) handlers.onCrash(e.payload.error);
      else this.logger.warn('consumer crashed, restarting', { error: String(e.payload.error) });
    });
    await this.consumer.run({
      autoCommit: false,
      // Resolving only moves the fetch position; offsets are committed by the runtime's commit protocol.
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isStale }) => {
        const key = `${batch.topic}:${batch.partition}`;
        if (this.seeking.has(key)) {
          // Fetched before the seek: its records come again from the seek offset.
          if (isStale()) return;
          this.seeking.delete(key);
        }
        if (batch.messages.length === 0) return;
        const records = batch.messages.map((m) => toRawRecord(batch.topic, batch.partition, m));
        await handlers.onBatch(records, heartbeat, BigInt(batch.highWatermark), () => this.seeking.has(key));
      },
    });
  }

  seek(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      this.seeking.add(`${o.topic}:${o.partition}`);
      this.consumer.seek({ topic: o.topic, partition: o.partition, offset: o.offset.toString() });
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await mapGroupErrors(() =>
      this.consumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })),
      ),
    );
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }
}
