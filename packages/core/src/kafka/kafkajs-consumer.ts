import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import { stickyTaskAssigner } from './kafkajs-assigner.js';
import { BatchGate, trimBatch } from './kafkajs-batch-gate.js';
import { mapGroupErrors } from './kafkajs-errors.js';
import { toRawRecord } from './kafkajs-records.js';
import type { ConsumerHandlers, ConsumerPort, KafkaPort, TopicPartitionOffset } from './ports.js';

/** Fetch settings of the runtime's consumer; the bench's ceiling peer reads with the same ones. */
export const KAFKAJS_CONSUMER_FETCH = { maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 250 } as const;

/** The runtime's group consumer: manual commits, the sticky task assignor, seeks that drop stale batches. */
export class KafkajsConsumer implements ConsumerPort {
  private readonly consumer: Consumer;
  readonly groupId: string;
  /** Which fetched batches may be processed: none fetched before a seek, no record twice. */
  private readonly gate = new BatchGate();

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
      this.gate.reset();
      const assignment = Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) =>
        (partitions as number[]).map((partition) => ({ topic, partition })),
      );
      handlers.onAssigned(assignment);
    });
    this.consumer.on(REBALANCING, () => handlers.onRebalancing());
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (e) => {
      // The end of a batch fetched before a seek says nothing about the new position.
      if (this.gate.seeking(e.payload.topic, e.payload.partition)) return;
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
        const { topic, partition } = batch;
        // Fetched before a seek kafkajs has not applied yet: its records come again from the seek offset.
        if (this.gate.seeking(topic, partition) && isStale()) return;
        const decision = this.gate.admit({
          topic,
          partition,
          firstOffset: batch.messages[0]?.offset,
          lastOffset: batch.messages.at(-1)?.offset,
        });
        if (decision.kind === 'drop') {
          this.logger.debug('fetched batch dropped', { topic, partition, reason: decision.reason });
          return;
        }
        let messages = batch.messages;
        if (decision.kind === 'trim') {
          messages = trimBatch(messages, decision.from);
          this.logger.debug('fetched batch overlaps delivered records', {
            topic,
            partition,
            dropped: batch.messages.length - messages.length,
          });
        }
        if (messages.length === 0) return;
        const records = messages.map((m) => toRawRecord(topic, partition, m));
        await handlers.onBatch(records, heartbeat, BigInt(batch.highWatermark), () =>
          this.gate.seeking(topic, partition),
        );
      },
    });
  }

  seek(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      this.gate.seek(o.topic, o.partition, o.offset);
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
