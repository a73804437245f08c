import { type Kafka, Partitioners, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import { TributaryError } from '../errors.js';
import { mapSendErrors, mapTransactionErrors } from './kafkajs-errors.js';
import { retryLookup } from './kafkajs-lookup-retry.js';
import type { PartitionResolver } from './kafkajs-partitioner.js';
import { chunkForSend, toKafkaMessage } from './kafkajs-records.js';
import type {
  KafkaPort,
  OutgoingRecord,
  ProducedOffset,
  ProducerPort,
  TopicPartitionOffset,
  TransactionPort,
} from './ports.js';

/** The calls this module makes on a kafkajs producer (unit tests pass a fake). */
export type KafkajsProducerClient = Pick<Producer, 'connect' | 'disconnect' | 'sendBatch' | 'transaction'>;

export interface SendOptions {
  /** Resends of records whose partition got no good answer, before the send fails. */
  readonly maxResends: number;
  /** Backoff before resend n (0-based): resendBackoffMs * 2^n. */
  readonly resendBackoffMs: number;
}

const DEFAULT_SEND: SendOptions = { maxResends: 5, resendBackoffMs: 200 };

type ProducerOptions = Parameters<KafkaPort['producer']>[0];

export function kafkajsProducer(
  kafka: Kafka,
  opts: ProducerOptions,
  partitions: PartitionResolver,
): KafkajsProducer {
  const transactional = opts.transactionalId !== undefined;
  const client = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: transactional || (opts.idempotent ?? false),
    maxInFlightRequests: transactional || opts.idempotent ? 1 : 5,
    ...(opts.transactionalId ? { transactionalId: opts.transactionalId, transactionTimeout: 60_000 } : {}),
  });
  return new KafkajsProducer(client, { transactional, partitions });
}

export class KafkajsProducer implements ProducerPort {
  private readonly transactional: boolean;
  private readonly partitions: PartitionResolver;
  private readonly sendOptions: SendOptions;

  constructor(
    private readonly producer: KafkajsProducerClient,
    opts: { transactional: boolean; partitions: PartitionResolver; send?: Partial<SendOptions> },
  ) {
    this.transactional = opts.transactional;
    this.partitions = opts.partitions;
    this.sendOptions = { ...DEFAULT_SEND, ...opts.send };
  }

  async connect(): Promise<void> {
    // A task's producer connects while the group rebalances, which is often while a broker is down:
    // a lost connection there is retried rather than stopping the instance.
    await retryLookup('producer connect', async () => {
      await this.producer.connect();
      if (!this.transactional) return;
      // kafkajs sends the transactional InitProducerId only at the first transaction, so a new owner
      // of a task would read the committed offsets while the previous owner can still commit. Opening
      // and ending an empty transaction fences it now (the abort sends nothing: no partitions added).
      const txn = await mapTransactionErrors(() => this.producer.transaction());
      await mapTransactionErrors(() => txn.abort());
    });
  }

  send(records: readonly OutgoingRecord[]): Promise<ProducedOffset[]> {
    if (records.length === 0) return Promise.resolve([]);
    return mapSendErrors(() =>
      this.sendChunks((topicMessages) => this.producer.sendBatch({ topicMessages, acks: -1 }), records),
    );
  }

  async beginTransaction(): Promise<TransactionPort> {
    if (!this.transactional) throw new TributaryError('ILLEGAL_STATE', 'producer is not transactional');
    // A fenced producer shows up on any transactional call, not only at commit: map them all.
    const txn = await mapTransactionErrors(() => this.producer.transaction());
    return {
      send: (records) =>
        records.length === 0
          ? Promise.resolve([])
          : mapTransactionErrors(() =>
              // No resend inside a transaction: an unanswered partition may hold the records already,
              // and a resend writes them again under a new sequence number, so both copies commit
              // (the broker-failover test counted views twice that way). The send fails instead,
              // the runtime aborts the transaction and rebuilds the tasks from the last commit.
              this.sendChunks((topicMessages) => txn.sendBatch({ topicMessages, acks: -1 }), records, 0),
            ),
      sendOffsets: async (groupId, offsets) => {
        if (offsets.length === 0) return;
        await mapTransactionErrors(() =>
          txn.sendOffsets({ consumerGroupId: groupId, topics: offsetsByTopic(offsets) }),
        );
      },
      commit: () => mapTransactionErrors(() => txn.commit()),
      abort: () => txn.abort(),
    };
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /**
   * Sends in size-bounded chunks and checks that the broker answered for every partition written to:
   * unpatched kafkajs 2.2.4 resolved a send with no answer (and no error) for a partition whose leader
   * had just died (seen in the 3-node kill -9 test); our patch retries per partition, and this check
   * stays as the guard that nothing unanswered passes as sent. Records of partitions without a good answer (none,
   * or an error code) are sent again, up to `maxResends` times (at-least-once only: a duplicate is
   * allowed there); if they stay unanswered the send fails, so nothing is lost silently. A thrown error is not resent here: kafkajs has retried it already, and resending the
   * whole chunk would duplicate the partitions that were written.
   */
  private async sendChunks(
    send: (tm: TopicMessages[]) => Promise<RecordMetadata[]>,
    records: readonly OutgoingRecord[],
    maxResends = this.sendOptions.maxResends,
  ): Promise<ProducedOffset[]> {
    const { resendBackoffMs } = this.sendOptions;
    const out: ProducedOffset[] = [];
    for (const chunk of chunkForSend(await this.partitions.assign(records))) {
      let pending = chunk;
      for (let attempt = 0; ; attempt++) {
        const { counts: sent, partitions: sentPartitions } = countPerPartition(pending);
        const answered = new Map<string, Set<number>>();
        let answeredPartitions = 0;
        for (const m of await send(topicMessages(pending))) {
          const n = sent.get(m.topicName)?.get(m.partition);
          if (m.errorCode !== 0 || n === undefined) continue;
          let partitions = answered.get(m.topicName);
          if (!partitions) {
            partitions = new Set();
            answered.set(m.topicName, partitions);
          }
          if (partitions.has(m.partition)) continue; // one answer per partition counts
          partitions.add(m.partition);
          answeredPartitions++;
          // The broker returns each partition's base offset: last = base + count - 1.
          const lastOffset = BigInt(m.baseOffset ?? '0') + BigInt(n) - 1n;
          out.push({ topic: m.topicName, partition: m.partition, lastOffset });
        }
        // The usual case, every partition answered: nothing to resend, no pass over the records.
        if (answeredPartitions === sentPartitions) break;
        pending = pending.filter(
          (r) => r.partition === undefined || !answered.get(r.topic)?.has(r.partition),
        );
        if (pending.length === 0) break;
        if (attempt >= maxResends) {
          const missing = [...new Set(pending.map((r) => `${r.topic}-${r.partition}`))].join(', ');
          throw new TributaryError(
            'PRODUCTION_FAILED',
            `no acknowledgement for ${pending.length} records to ${missing}`,
          );
        }
        await new Promise((r) => setTimeout(r, resendBackoffMs * 2 ** attempt));
      }
    }
    return out;
  }
}

/**
 * Record counts per topic, per partition (nested maps, so the per-record loops build no key
 * strings), and how many partitions that is.
 */
function countPerPartition(records: readonly OutgoingRecord[]): {
  counts: Map<string, Map<number, number>>;
  partitions: number;
} {
  const counts = new Map<string, Map<number, number>>();
  let partitions = 0;
  for (const r of records) {
    if (r.partition === undefined) continue;
    let byPartition = counts.get(r.topic);
    if (!byPartition) {
      byPartition = new Map();
      counts.set(r.topic, byPartition);
    }
    const n = byPartition.get(r.partition);
    if (n === undefined) partitions++;
    byPartition.set(r.partition, (n ?? 0) + 1);
  }
  return { counts, partitions };
}

function topicMessages(records: readonly OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const r of records) {
    let tm = byTopic.get(r.topic);
    if (!tm) {
      tm = { topic: r.topic, messages: [] };
      byTopic.set(r.topic, tm);
    }
    tm.messages.push(toKafkaMessage(r));
  }
  return [...byTopic.values()];
}

function offsetsByTopic(offsets: readonly TopicPartitionOffset[]) {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: o.offset.toString() });
    byTopic.set(o.topic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
