import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { SharedAdmin } from './kafkajs-admin.js';
import { toRawRecord } from './kafkajs-records.js';
import type { RawRecord, TopicTailer } from './ports.js';

/**
 * Follows topics from the beginning in a private group that never commits (global tables): start()
 * resolves once every partition has been read up to the end it had when start() was called.
 */
export class KafkajsTailer implements TopicTailer {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: SharedAdmin,
    private readonly groupPrefix: string,
    private readonly logger: Logger,
  ) {}

  async start(topics: readonly string[], onBatch: (records: readonly RawRecord[]) => void): Promise<void> {
    const targets = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await this.admin.topicOffsets(topic)) {
        if (p.high > p.low) targets.set(`${topic}:${p.partition}`, p.high);
      }
    }
    const consumer = this.kafka.consumer({
      groupId: `${this.groupPrefix}-${randomUUID().slice(0, 8)}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const key = `${e.payload.topic}:${e.payload.partition}`;
      const target = targets.get(key);
      if (target !== undefined && BigInt(e.payload.lastOffset) + 1n >= target) targets.delete(key);
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        onBatch(batch.messages.map((m) => toRawRecord(batch.topic, batch.partition, m)));
      },
    });
    const started = Date.now();
    while (targets.size > 0) {
      if (Date.now() - started > 120_000) {
        this.logger.warn('global table bootstrap is slow', { remaining: [...targets.keys()] });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}
