import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TributaryError } from '../errors.js';
import type { ChangelogBatchRecord, ChangelogReader } from '../state/store.js';
import type { SharedAdmin } from './kafkajs-admin.js';

/** Offsets come from the port's shared admin; each read uses its own short-lived consumer. */
export function kafkajsChangelogReader(
  kafka: Kafka,
  admin: SharedAdmin,
  groupPrefix: string,
): ChangelogReader {
  const offsets = async (topic: string, partition: number) =>
    (await admin.topicOffsets(topic)).find((p) => p.partition === partition);
  return {
    endOffset: async (topic, partition) => (await offsets(topic, partition))?.high ?? 0n,
    beginningOffset: async (topic, partition) => (await offsets(topic, partition))?.low ?? 0n,
    read: (topic, partition, from, to, onBatch, signal) =>
      readPartition(kafka, admin, { topic, partition, from, to, onBatch, signal, groupPrefix }),
  };
}

export interface ReadPartitionOptions {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
  onBatch: (records: ChangelogBatchRecord[]) => void | Promise<void>;
  signal: AbortSignal | undefined;
  groupPrefix: string;
  /** Give up when no progress is made for this long. */
  stallTimeoutMs?: number;
}

/**
 * Reads [from, to) of one partition, read_committed. kafkajs has no manual assignment, so this uses a
 * throwaway consumer group that never commits, pauses the topic's other partitions and seeks. Progress
 * is tracked from batch instrumentation events, which also fire for batches holding only transaction
 * markers or aborted records, so a log that ends in a commit marker still counts as fully read.
 */
export async function readPartition(
  kafka: Kafka,
  admin: SharedAdmin,
  o: ReadPartitionOptions,
): Promise<void> {
  if (o.from >= o.to) return;
  const partitions = (await admin.partitionMetadata([o.topic])).get(o.topic)?.map((p) => p.partitionId) ?? [];
  const consumer = kafka.consumer({
    groupId: `${o.groupPrefix}-restore-${randomUUID().slice(0, 8)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  let position = o.from;
  let lastProgress = Date.now();
  let failure: unknown;
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (e.payload.topic !== o.topic || e.payload.partition !== o.partition) return;
      const next = BigInt(e.payload.lastOffset) + 1n;
      if (next > position) {
        position = next;
        lastProgress = Date.now();
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (batch.topic !== o.topic || batch.partition !== o.partition) return;
        const records: ChangelogBatchRecord[] = [];
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < o.from || offset >= o.to) continue;
          records.push({ key: m.key, value: m.value, offset, timestamp: Number(m.timestamp) });
        }
        try {
          if (records.length > 0) await o.onBatch(records);
        } catch (err) {
          failure = err;
        }
      },
    });
    const others = partitions.filter((p) => p !== o.partition);
    if (others.length > 0) consumer.pause([{ topic: o.topic, partitions: others }]);
    consumer.seek({ topic: o.topic, partition: o.partition, offset: o.from.toString() });
    const stall = o.stallTimeoutMs ?? 120_000;
    while (position < o.to && failure === undefined) {
      if (o.signal?.aborted)
        throw new TributaryError('RESTORE_FAILED', `restore of ${o.topic}-${o.partition} aborted`);
      if (Date.now() - lastProgress > stall) {
        throw new TributaryError(
          'RESTORE_FAILED',
          `restore of ${o.topic}-${o.partition} made no progress for ${stall} ms (at ${position}, target ${o.to})`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (failure !== undefined) throw failure;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
