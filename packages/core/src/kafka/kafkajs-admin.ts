import type { Admin, PartitionMetadata } from 'kafkajs';
import { TributaryError } from '../errors.js';
import { retryLookup } from './kafkajs-lookup-retry.js';
import type { AdminPort, NewTopic } from './ports.js';

/**
 * The AdminPort: the runtime's topic setup, committed offsets and repartition purges. Its lookups
 * (committed and end offsets) go through the port's SharedAdmin, whose retries get a fresh client
 * after a failure; retrying on this long-lived client kept its stale metadata (kafkajs does not
 * refresh it on every error), and the port had one more admin connection for the same lookups.
 */
export class KafkajsAdmin implements AdminPort {
  constructor(
    private readonly admin: Admin,
    private readonly lookups: SharedAdmin,
  ) {}
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
  async createTopics(topics: readonly NewTopic[]): Promise<void> {
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
    const res = await this.lookups.committedOffsets(groupId, topics);
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
    const res = await this.lookups.topicOffsets(topic);
    return new Map(res.map((p) => [p.partition, p.high]));
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

/** One connected (or connecting) admin client and the lookups running on it. */
interface Lease {
  readonly client: Promise<Admin>;
  users: number;
}

/**
 * One admin client for the port's short lookups (changelog offsets, topic metadata) instead of one
 * per call. The port has no close() and its users (restores, the partitioner, the global tailer)
 * come and go, so it connects on first use and disconnects once nothing has used it for `idleMs`:
 * a burst of restores shares one connection, and a closed app keeps no socket open.
 */
export class SharedAdmin {
  private current: Lease | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly create: () => Admin,
    private readonly idleMs = 2000,
  ) {}

  async use<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.current ??= this.open();
    const lease = this.current;
    lease.users++;
    try {
      return await fn(await lease.client);
    } catch (err) {
      // Its metadata may be stale now (a broker gone, a leader moved; kafkajs does not refresh it on
      // every error): later lookups get a fresh client, as they did with a client per lookup.
      if (this.current === lease) this.current = undefined;
      throw err;
    } finally {
      lease.users--;
      if (lease !== this.current) {
        if (lease.users === 0) void close(lease);
      } else if (lease.users === 0) {
        this.idle = setTimeout(() => this.release(), this.idleMs);
        this.idle.unref();
      }
    }
  }

  /** Partition metadata of `topics` (all must exist). */
  partitionMetadata(topics: string[]): Promise<Map<string, PartitionMetadata[]>> {
    return retryLookup(`metadata of ${topics.join(', ')}`, () =>
      this.use(async (admin) => {
        const meta = await admin.fetchTopicMetadata({ topics });
        return new Map(meta.topics.map((t) => [t.name, t.partitions]));
      }),
    );
  }

  /** The group's committed offsets of `topics` (kafkajs' answer: -1 where none is committed). */
  committedOffsets(groupId: string, topics: readonly string[]) {
    return retryLookup('committed offsets', () =>
      this.use((admin) => admin.fetchOffsets({ groupId, topics: [...topics] })),
    );
  }

  /** First (`low`) and end (`high`, the high watermark) offsets of every partition of `topic`. */
  topicOffsets(topic: string): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    // Each attempt through use(): a failed lookup drops the client, so a retry gets fresh metadata.
    return retryLookup(`offsets of ${topic}`, () =>
      this.use(async (admin) =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({
          partition: p.partition,
          low: BigInt(p.low),
          high: BigInt(p.high),
        })),
      ),
    );
  }

  private open(): Lease {
    const admin = this.create();
    const client = admin.connect().then(() => admin);
    client.catch(() => {}); // seen by the use that awaits it
    return { client, users: 0 };
  }

  private release(): void {
    this.idle = undefined;
    const lease = this.current;
    if (!lease || lease.users > 0) return;
    this.current = undefined;
    void close(lease);
  }
}

async function close(lease: Lease): Promise<void> {
  const admin = await lease.client.catch(() => undefined);
  await admin?.disconnect().catch(() => {});
}
