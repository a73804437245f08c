import { randomUUID } from 'node:crypto';
import {
  type Admin,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';

export function bootstrapServers(): string {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (!servers) {
    throw new Error(
      'KAFKA_BOOTSTRAP_SERVERS is not set: run integration tests through vitest --project integration',
    );
  }
  return servers;
}

export function testKafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'tributary-testkit',
    brokers: bootstrapServers().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
    ...config,
  });
}

/** A topic or group name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TopicSpec {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, kafka = testKafka()): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(specs: TopicSpec[], kafka = testKafka()): Promise<void> {
  await withAdmin(async (admin) => {
    // Not kafkajs' waitForLeaders: it gives up on UNKNOWN_TOPIC_OR_PARTITION while KRaft metadata propagates.
    await admin.createTopics({
      waitForLeaders: false,
      topics: specs.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions ?? 1,
        replicationFactor: s.replicationFactor ?? 1,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    const names = specs.map((s) => s.name);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const meta = await admin.fetchTopicMetadata({ topics: names }).catch(() => undefined);
      if (meta?.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
      if (Date.now() > deadline) throw new Error(`topics have no leaders after 30 s: ${names.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, kafka);
}

export async function deleteTopics(names: string[], kafka = testKafka()): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics: names }), kafka);
}

export function testProducer(
  kafka = testKafka(),
  opts: { transactionalId?: string; idempotent?: boolean } = {},
): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    ...(opts.transactionalId
      ? { transactionalId: opts.transactionalId, idempotent: true, maxInFlightRequests: 1 }
      : opts.idempotent
        ? { idempotent: true, maxInFlightRequests: 1 }
        : {}),
  });
}

/**
 * Produces messages in batches of `batchSize`, acks=all, idempotent by default: on a loaded machine
 * a plain producer's retry of a timed-out request wrote one batch twice (a word count over 3,000
 * lines then saw about 690 of them twice), and the test's ground truth is what it meant to send.
 * `idempotent: false` is for a cluster with a node down, where kafkajs' idempotent producer cannot
 * connect.
 */
export async function produceAll(
  topic: string,
  messages: Message[],
  {
    batchSize = 1000,
    kafka = testKafka(),
    idempotent = true,
  }: { batchSize?: number; kafka?: Kafka; idempotent?: boolean } = {},
): Promise<void> {
  const producer = testProducer(kafka, { idempotent });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + batchSize) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

export interface ConsumeOptions {
  /** Stop once this many records have arrived. */
  count?: number;
  /** Stop after this long without a new record (ms); the default waits for `count` up to `timeoutMs`. */
  idleMs?: number;
  timeoutMs?: number;
  groupId?: string;
  readCommitted?: boolean;
  kafka?: Kafka;
}

/**
 * Reads a topic from the beginning in a consumer group until `count` records arrived or it stays idle.
 * Resolves with the records in arrival order (per partition that is offset order).
 */
export async function consumeAll(topic: string, opts: ConsumeOptions = {}): Promise<ConsumedRecord[]> {
  const kafka = opts.kafka ?? testKafka();
  const consumer = kafka.consumer({
    groupId: opts.groupId ?? uniqueName('testkit-reader'),
    readUncommitted: !(opts.readCommitted ?? true),
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  const out: ConsumedRecord[] = [];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolveRun, reject) => {
      let last = Date.now();
      const started = Date.now();
      const timer = setInterval(() => {
        const now = Date.now();
        const enough = opts.count !== undefined && out.length >= opts.count;
        const idle =
          opts.idleMs !== undefined && now - last >= opts.idleMs && (opts.count === undefined || enough);
        if (enough || idle || now - started > timeoutMs) {
          clearInterval(timer);
          resolveRun();
        }
      }, 50);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              out.push({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                key: m.key,
                value: m.value,
                headers: m.headers ?? {},
                timestamp: m.timestamp,
              });
            }
            last = Date.now();
          },
        })
        .catch((err: unknown) => {
          clearInterval(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * The sum of the group's committed offsets over the partitions of `topic` (0 for none). A read, so a
 * failed lookup is asked again: the group's coordinator can move while a test kills and starts
 * instances (NOT_COORDINATOR was seen in CI), and that is not what the tests check.
 */
export async function committedCount(groupId: string, topic: string, kafka = testKafka()): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withAdmin(async (admin) => {
        const res = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (res[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      }, kafka);
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Resolves once the group's committed offsets reach the end of every partition of `topic`. */
export async function waitForCommittedToEnd(
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
  kafka = testKafka(),
): Promise<boolean> {
  return withAdmin(async (admin) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ends = await admin.fetchTopicOffsets(topic);
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
      );
      if (ends.every((e) => BigInt(e.high) === 0n || (byPartition.get(e.partition) ?? -1n) >= BigInt(e.high)))
        return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, kafka);
}
