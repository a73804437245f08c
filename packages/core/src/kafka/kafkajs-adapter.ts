import {
  type Admin,
  type Consumer,
  Kafka,
  type KafkaConfig,
  type logCreator,
  logLevel,
  Partitioners,
  type PartitionMetadata,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import { errorMessage, isTributaryError, TributaryError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ChangelogReader } from '../state/store.js';
import { stickyTaskAssigner } from './kafkajs-assigner.js';
import { readPartition } from './kafkajs-changelog-reader.js';
import { chunkForSend, toKafkaMessage, toRawRecord } from './kafkajs-records.js';
import { KafkajsTailer } from './kafkajs-tailer.js';
import { partitionForKey } from './murmur2.js';
import type {
  AdminPort,
  ConsumerHandlers,
  ConsumerPort,
  KafkaPort,
  OutgoingRecord,
  ProducedOffset,
  ProducerPort,
  TopicPartitionOffset,
  TopicTailer,
  TransactionPort,
} from './ports.js';

/** Fetch settings of the runtime's consumer; the bench's ceiling peer reads with the same ones. */
export const KAFKAJS_CONSUMER_FETCH = { maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 250 } as const;

export interface KafkajsOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  logger: Logger;
  /** Extra kafkajs settings (ssl, sasl, ...). */
  kafkaConfig?: Partial<KafkaConfig>;
}

function kafkajsLogger(logger: Logger): logCreator {
  return () => (entry) => {
    const { message, ...rest } = entry.log;
    const fields = { kafkajs: entry.namespace, ...rest };
    // kafkajs warns at every idempotent producer start because retries are bounded; that is our
    // choice (a send must fail rather than hang), so it is not worth a warning each time.
    if (String(message).startsWith('Limiting retries for the idempotent producer')) {
      logger.debug(String(message), fields);
      return;
    }
    if (entry.level === logLevel.ERROR) logger.error(String(message), fields);
    else if (entry.level === logLevel.WARN) logger.warn(String(message), fields);
    else logger.debug(String(message), fields);
  };
}

/** The one module that knows kafkajs. Everything else sees the ports. */
export function kafkajsPort(opts: KafkajsOptions): KafkaPort {
  const brokers =
    typeof opts.bootstrapServers === 'string' ? opts.bootstrapServers.split(',') : [...opts.bootstrapServers];
  const config: KafkaConfig = {
    clientId: opts.clientId ?? 'tributary',
    brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogger(opts.logger),
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 },
    ...(opts.kafkaConfig as KafkaConfig | undefined),
  };
  const kafka = new Kafka(config);
  const admin = () => new KafkajsAdmin(kafka.admin());
  return {
    admin,
    consumer: (c) => new KafkajsConsumer(kafka, c, opts.logger),
    producer: (p) => new KafkajsProducer(kafka, p),
    changelogReader: (): ChangelogReader => ({
      endOffset: async (topic, partition) => {
        const a = admin();
        await a.connect();
        try {
          return (await a.endOffsets(topic)).get(partition) ?? 0n;
        } finally {
          await a.disconnect();
        }
      },
      beginningOffset: async (topic, partition) => {
        const a = kafka.admin();
        await a.connect();
        try {
          const offsets = await a.fetchTopicOffsets(topic);
          const p = offsets.find((o) => o.partition === partition);
          return BigInt(p?.low ?? '0');
        } finally {
          await a.disconnect();
        }
      },
      read: (topic, partition, from, to, onBatch, signal) =>
        readPartition(kafka, {
          topic,
          partition,
          from,
          to,
          onBatch,
          signal,
          groupPrefix: opts.clientId ?? 'tributary',
        }),
    }),
    tailer: (t): TopicTailer => new KafkajsTailer(kafka, t.groupId, opts.logger),
  };
}

class KafkajsAdmin implements AdminPort {
  constructor(private readonly admin: Admin) {}
  connect(): Promise<void> {
    return this.admin.connect();
  }
  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const existing = new Set(await this.admin.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    const out = new Map<string, number>();
    if (wanted.length === 0) return out;
    const meta = await this.admin.fetchTopicMetadata({ topics: wanted });
    for (const t of meta.topics) out.set(t.name, t.partitions.length);
    return out;
  }
  async createTopics(topics: readonly import('./ports.js').NewTopic[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    try {
      await this.admin.createTopics({
        // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which KRaft brokers answer while
        // the new topic's metadata propagates; awaitLeaders below retries it.
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      // Another instance may have created them at the same moment.
      if (!/already exists/i.test(String((err as Error)?.message))) throw err;
    }
    await awaitLeaders(
      this.admin,
      missing.map((t) => t.name),
    );
  }
  async committedOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, bigint>> {
    const res = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    const out = new Map<string, bigint>();
    for (const t of res) {
      for (const p of t.partitions) {
        const o = BigInt(p.offset);
        if (o >= 0n) out.set(`${t.topic}:${p.partition}`, o);
      }
    }
    return out;
  }
  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length > 0) await this.admin.deleteTopics({ topics: [...topics] });
  }
  async deleteRecordsBefore(topic: string, offsets: ReadonlyMap<number, bigint>): Promise<void> {
    if (offsets.size === 0) return;
    await this.admin.deleteTopicRecords({
      topic,
      partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
    });
  }
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const res = await this.admin.fetchTopicOffsets(topic);
    return new Map(res.map((p) => [p.partition, BigInt(p.high)]));
  }
}

class KafkajsConsumer implements ConsumerPort {
  private readonly consumer: Consumer;
  readonly groupId: string;
  /** Partitions with a seek that kafkajs has not applied yet (`topic:partition`). */
  private readonly seeking = new Set<string>();

  constructor(
    kafka: Kafka,
    opts: {
      groupId: string;
      readCommitted: boolean;
      sessionTimeoutMs: number;
      ownedPartitions?: () => readonly number[];
    },
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

const GROUP_LOST = new Set([
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE']);

/** Turns "this member no longer owns its partitions" into typed errors the runtime recovers from. */
/** kafkajs wraps protocol errors (retries exceeded, non-retriable); the protocol type is inside. */
function protocolType(err: unknown): string {
  let e = err as { type?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type) return e.type;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return '';
}

function groupError(err: unknown): unknown {
  const type = protocolType(err);
  if (GROUP_LOST.has(type)) {
    return new TributaryError('TASK_MIGRATED', `offset commit rejected, the group rebalanced (${type})`, {
      cause: err,
    });
  }
  if (FENCED.has(type)) {
    return new TributaryError(
      'TASK_MIGRATED',
      `producer fenced: another instance owns the task now (${type})`,
      {
        cause: err,
      },
    );
  }
  return err;
}

async function mapGroupErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw groupError(err);
  }
}

/**
 * Transactional calls: fencing means another instance owns the task (TASK_MIGRATED). Any other
 * failure (kafkajs does not retry EndTxn when the coordinator's connection closes, for one) leaves
 * the transaction in an unknown state: TASK_CORRUPTED, and the runtime rebuilds the task from the
 * last commit, as Kafka Streams does with TaskCorruptedException.
 */
async function mapTransactionErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const mapped = groupError(err);
    if (isTributaryError(mapped, 'TASK_MIGRATED')) throw mapped;
    throw new TributaryError('TASK_CORRUPTED', `transaction failed: ${errorMessage(err)}`, { cause: err });
  }
}

/** Per topic, per partition: a small nested map, so hot loops build no `topic:partition` strings. */
type PerPartition<T> = Map<string, Map<number, T>>;

function lastOffsets(records: readonly OutgoingRecord[], meta: RecordMetadata[]): ProducedOffset[] {
  // Records with an explicit partition (changelogs) can be counted per partition; the broker returns
  // each partition's base offset, so last = base + count - 1.
  const counts: PerPartition<number> = new Map();
  for (const r of records) {
    if (r.partition === undefined) continue;
    let byPartition = counts.get(r.topic);
    if (!byPartition) {
      byPartition = new Map();
      counts.set(r.topic, byPartition);
    }
    byPartition.set(r.partition, (byPartition.get(r.partition) ?? 0) + 1);
  }
  return meta.map((m) => {
    const base = BigInt(m.baseOffset ?? '0');
    const n = counts.get(m.topicName)?.get(m.partition) ?? 1;
    return { topic: m.topicName, partition: m.partition, lastOffset: base + BigInt(n) - 1n };
  });
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

/**
 * Sends in size-bounded chunks and checks that the broker answered for every partition written to:
 * kafkajs 2.2.4 can resolve a send with no answer (and no error) for a partition whose leader has
 * just died (seen in the 3-node kill -9 test). Unanswered partitions are sent again; if they stay
 * unanswered the send fails, so nothing is lost silently.
 */
async function sendChunks(
  send: (tm: TopicMessages[]) => Promise<RecordMetadata[]>,
  records: readonly OutgoingRecord[],
  partitions: PartitionResolver,
): Promise<ProducedOffset[]> {
  const out: ProducedOffset[] = [];
  for (const chunk of chunkForSend(await partitions.assign(records))) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const meta = await send(topicMessages(pending));
      const answered: PerPartition<true> = new Map();
      for (const m of meta) {
        if (m.errorCode !== 0) continue;
        let byPartition = answered.get(m.topicName);
        if (!byPartition) {
          byPartition = new Map();
          answered.set(m.topicName, byPartition);
        }
        byPartition.set(m.partition, true);
      }
      const done: OutgoingRecord[] = [];
      const unanswered: OutgoingRecord[] = [];
      for (const r of pending) {
        const ok = r.partition !== undefined && answered.get(r.topic)?.has(r.partition) === true;
        (ok ? done : unanswered).push(r);
      }
      out.push(...lastOffsets(done, meta));
      pending = unanswered;
      if (pending.length === 0) break;
      if (attempt >= 5) {
        const missing = [...new Set(pending.map((r) => `${r.topic}-${r.partition}`))].join(', ');
        throw new TributaryError(
          'PRODUCTION_FAILED',
          `no acknowledgement for ${pending.length} records to ${missing}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
  return out;
}

/** Gives every record an explicit partition (Java-compatible murmur2 on the key, as kafkajs would). */
class PartitionResolver {
  private readonly metadata = new Map<string, PartitionMetadata[]>();
  /** Only for records without a key (round robin over available partitions). */
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Kafka) {}

  async assign(records: readonly OutgoingRecord[]): Promise<readonly OutgoingRecord[]> {
    const unknown = [...new Set(records.filter((r) => r.partition === undefined).map((r) => r.topic))].filter(
      (t) => !this.metadata.has(t),
    );
    if (unknown.length > 0) {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const meta = await admin.fetchTopicMetadata({ topics: unknown });
        for (const t of meta.topics) this.metadata.set(t.name, t.partitions);
      } finally {
        await admin.disconnect();
      }
    }
    for (const r of records) {
      if (r.partition !== undefined) continue;
      const partitionMetadata = this.metadata.get(r.topic) ?? [];
      const partition =
        r.key !== null && partitionMetadata.length > 0
          ? partitionForKey(r.key, partitionMetadata.length)
          : this.partitioner({ topic: r.topic, partitionMetadata, message: { key: r.key, value: r.value } });
      // Set in place: the record belongs to this send from here on, and a copy per record showed in
      // the profile. Deterministic for keyed records, so a resend or replay picks the same partition.
      (r as { partition?: number }).partition = partition;
    }
    return records;
  }
}

class KafkajsProducer implements ProducerPort {
  private readonly producer: Producer;
  private readonly transactional: boolean;
  private readonly partitions: PartitionResolver;

  constructor(kafka: Kafka, opts: { transactionalId?: string; idempotent?: boolean }) {
    this.transactional = opts.transactionalId !== undefined;
    this.partitions = new PartitionResolver(kafka);
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: this.transactional || (opts.idempotent ?? false),
      maxInFlightRequests: this.transactional || opts.idempotent ? 1 : 5,
      ...(opts.transactionalId ? { transactionalId: opts.transactionalId, transactionTimeout: 60_000 } : {}),
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  send(records: readonly OutgoingRecord[]): Promise<ProducedOffset[]> {
    if (records.length === 0) return Promise.resolve([]);
    return sendChunks(
      (topicMessages) => this.producer.sendBatch({ topicMessages, acks: -1 }),
      records,
      this.partitions,
    );
  }

  async beginTransaction(): Promise<TransactionPort> {
    if (!this.transactional) throw new TributaryError('ILLEGAL_STATE', 'producer is not transactional');
    // A fenced producer shows up on any transactional call, not only at commit: map them all.
    const txn: Transaction = await mapTransactionErrors(() => this.producer.transaction());
    return {
      send: (records) =>
        records.length === 0
          ? Promise.resolve([])
          : mapTransactionErrors(() =>
              sendChunks(
                (topicMessages) => txn.sendBatch({ topicMessages, acks: -1 }),
                records,
                this.partitions,
              ),
            ),
      sendOffsets: async (groupId, offsets) => {
        if (offsets.length === 0) return;
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const o of offsets) {
          const list = byTopic.get(o.topic) ?? [];
          list.push({ partition: o.partition, offset: o.offset.toString() });
          byTopic.set(o.topic, list);
        }
        await mapTransactionErrors(() =>
          txn.sendOffsets({
            consumerGroupId: groupId,
            topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          }),
        );
      },
      commit: () => mapTransactionErrors(() => txn.commit()),
      abort: () => txn.abort(),
    };
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Waits until every partition of `topics` has a leader, retrying the errors of metadata propagation. */
async function awaitLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      const ready = meta.topics.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (ready && meta.topics.length === topics.length) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new TributaryError(
        'KAFKA_ERROR',
        `topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`,
        {
          cause: lastError,
        },
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
