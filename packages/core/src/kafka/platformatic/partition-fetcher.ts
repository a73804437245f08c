import type { ClusterMetadata, ConnectionPool, Consumer, fetchV17 } from '@platformatic/kafka';
import type { Logger } from '../../logger.js';
import type { RawRecord, TopicPartitionOffset } from '../ports.js';
import { convertPartition } from './fetched-records.js';

/** The client calls the fetcher makes; a @platformatic/kafka Consumer has them all. */
export type FetchClient = Pick<Consumer, 'metadata' | 'fetch' | 'listOffsets' | 'clearMetadata'>;

export interface FetchSettings {
  readonly readCommitted: boolean;
  readonly maxWaitTimeMs: number;
  readonly maxBytesPerPartition: number;
  /**
   * Connections for the Fetch calls, apart from the client's own: the broker answers one request
   * at a time per connection, and a JoinGroup waits there until every member has joined, so sharing
   * it would stall fetching for the whole rebalance.
   */
  readonly connectionPool?: ConnectionPool;
}

export interface FetchedBatchHandlers {
  /** One partition's records in offset order; awaited before the next fetch round (backpressure). */
  onBatch(records: readonly RawRecord[], highWatermark: bigint, isStale: () => boolean): Promise<void>;
  /** The position moved to `next` (past data, transaction markers and aborted records alike). */
  onPosition?(topic: string, partition: number, next: bigint, highWatermark: bigint): void;
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  next: bigint;
  /** Bumped by every seek or reassignment: a response fetched under an older epoch is dropped. */
  epoch: number;
}

type FetchResponse = fetchV17.FetchResponse;

const OFFSET_OUT_OF_RANGE = 1;
/** Leaders are looked up again in the background this often; an error looks them up at once. */
const METADATA_REFRESH_MS = 5000;
const offsetKey = (topic: string, partition: number) => `${topic}:${partition}`;
const ERROR_BACKOFF_MS = 200;

/**
 * The fetch loop behind the runtime's consumers. @platformatic/kafka's MessagesStream has no seek
 * and no per-partition batches, so this drives the client's plain Fetch calls itself: it owns
 * every position, so a seek can never be overwritten by a response already in flight (the response
 * carries the epoch it was fetched under), and partitions that leave the assignment stop at once.
 * One round fetches every assigned partition from all leaders in parallel, then hands each
 * partition's records on in turn.
 */
export class PartitionFetcher {
  private readonly positions = new Map<string, Position>();
  private epochs = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastWarn = 0;
  private metadata:
    | { readonly topics: string; readonly value: ClusterMetadata; readonly at: number }
    | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly client: FetchClient,
    private readonly settings: FetchSettings,
    private readonly logger: Logger,
  ) {}

  /** Replaces the assignment: fetching goes on from the given offsets only. */
  assign(offsets: readonly TopicPartitionOffset[]): void {
    this.positions.clear();
    this.seek(offsets);
  }

  /** Moves the fetch position of assigned (or newly assigned) partitions. */
  seek(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      this.positions.set(offsetKey(o.topic, o.partition), {
        topic: o.topic,
        partition: o.partition,
        next: o.offset,
        epoch: ++this.epochs,
      });
    }
    this.wake?.();
  }

  assigned(): TopicPartitionOffset[] {
    return [...this.positions.values()].map((p) => ({
      topic: p.topic,
      partition: p.partition,
      offset: p.next,
    }));
  }

  start(handlers: FetchedBatchHandlers, onFatal: (err: unknown) => void): void {
    this.loop = this.run(handlers).catch(onFatal);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(handlers: FetchedBatchHandlers): Promise<void> {
    while (!this.stopped) {
      if (this.positions.size === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 100).unref();
        });
        this.wake = undefined;
        continue;
      }
      try {
        await this.round(handlers);
      } catch (err) {
        if (this.stopped) return;
        this.warnThrottled('fetch failed, retrying', err);
        this.client.clearMetadata();
        this.metadata = undefined;
        await new Promise((r) => setTimeout(r, ERROR_BACKOFF_MS));
      }
    }
  }

  private async round(handlers: FetchedBatchHandlers): Promise<void> {
    const snapshot = [...this.positions.values()].map((p) => ({ ...p }));
    const topics = [...new Set(snapshot.map((p) => p.topic))];
    const metadata = await this.leaders(topics);
    const byLeader = new Map<number, typeof snapshot>();
    for (const p of snapshot) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0) continue;
      const list = byLeader.get(leader) ?? [];
      list.push(p);
      byLeader.set(leader, list);
    }
    if (byLeader.size === 0) throw new Error(`no leader known for ${topics.join(', ')}`);
    const responses = await Promise.all(
      [...byLeader].map(([node, parts]) => this.fetchFrom(node, parts, metadata)),
    );
    const wanted = new Map(snapshot.map((p) => [offsetKey(p.topic, p.partition), p]));
    for (const response of responses) {
      if (!response) continue;
      for (const topicResponse of response.responses) {
        const topic = topicName(metadata, topicResponse.topicId);
        if (topic === undefined) continue;
        for (const part of topicResponse.partitions) {
          const key = offsetKey(topic, part.partitionIndex);
          const asked = wanted.get(key);
          const current = this.positions.get(key);
          // Sought or reassigned since the request: this answer is about an old position.
          if (!asked || !current || current.epoch !== asked.epoch) continue;
          const converted = convertPartition(
            topic,
            part.partitionIndex,
            part.records ?? [],
            asked.next,
            this.settings.readCommitted ? part.abortedTransactions : undefined,
          );
          if (converted.nextOffset !== undefined && converted.nextOffset > current.next)
            current.next = converted.nextOffset;
          const epoch = current.epoch;
          const isStale = () => this.positions.get(key)?.epoch !== epoch;
          if (converted.records.length > 0)
            await handlers.onBatch(converted.records, part.highWatermark, isStale);
          if (!isStale()) handlers.onPosition?.(topic, part.partitionIndex, current.next, part.highWatermark);
        }
      }
    }
  }

  /**
   * Cluster metadata for the assigned topics. Refreshed in the background when old, not awaited: the
   * client asks for metadata on a connection that a pending JoinGroup may hold for seconds.
   */
  private async leaders(topics: string[]): Promise<ClusterMetadata> {
    const key = topics.sort().join(',');
    const cached = this.metadata;
    const load = async () => {
      const value = await this.client.metadata({ topics: [...topics], forceUpdate: true });
      this.metadata = { topics: key, value, at: Date.now() };
      return value;
    };
    if (!cached || cached.topics !== key) return load();
    if (Date.now() - cached.at > METADATA_REFRESH_MS && !this.refreshing) {
      this.refreshing = load().then(
        () => {
          this.refreshing = undefined;
        },
        () => {
          this.refreshing = undefined;
        },
      );
    }
    return cached.value;
  }

  /** One Fetch to one leader; an offset out of range (a purged repartition topic) resets to the earliest. */
  private async fetchFrom(
    node: number,
    parts: readonly Position[],
    metadata: ClusterMetadata,
  ): Promise<FetchResponse | undefined> {
    const byTopic = new Map<string, { partition: number; fetchOffset: bigint }[]>();
    for (const p of parts) {
      const list = byTopic.get(p.topic) ?? [];
      list.push({ partition: p.partition, fetchOffset: p.next });
      byTopic.set(p.topic, list);
    }
    try {
      return await this.client.fetch({
        node,
        maxWaitTime: this.settings.maxWaitTimeMs,
        minBytes: 1,
        maxBytes: this.settings.maxBytesPerPartition * Math.max(1, parts.length),
        isolationLevel: this.settings.readCommitted ? 1 : 0,
        ...(this.settings.connectionPool ? { connectionPool: this.settings.connectionPool } : {}),
        topics: [...byTopic].map(([topic, partitions]) => ({
          topicId: metadata.topics.get(topic)?.id ?? '',
          partitions: partitions.map((p) => ({
            ...p,
            partitionMaxBytes: this.settings.maxBytesPerPartition,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          })),
        })),
      });
    } catch (err) {
      const outOfRange = outOfRangePartitions(err, metadata);
      if (outOfRange.length === 0) throw err;
      await this.resetToEarliest(outOfRange);
      return undefined;
    }
  }

  private async resetToEarliest(keys: readonly { topic: string; partition: number }[]): Promise<void> {
    const topics = [...new Set(keys.map((k) => k.topic))];
    const earliest = await this.client.listOffsets({ topics, timestamp: -2n });
    for (const k of keys) {
      const p = this.positions.get(offsetKey(k.topic, k.partition));
      const first = earliest.get(k.topic)?.[k.partition];
      if (!p || first === undefined) continue;
      this.logger.warn('fetch offset out of range, resetting to the earliest offset', {
        topic: k.topic,
        partition: k.partition,
        from: p.next.toString(),
        to: first.toString(),
      });
      p.next = first;
      p.epoch = ++this.epochs;
    }
  }

  private warnThrottled(msg: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarn < 5000) return;
    this.lastWarn = now;
    this.logger.warn(msg, { error: String((err as Error)?.message ?? err) });
  }
}

function topicName(metadata: ClusterMetadata, topicId: string): string | undefined {
  for (const [name, t] of metadata.topics) if (t.id === topicId) return name;
  return undefined;
}

/** Partitions a failed Fetch answered with OFFSET_OUT_OF_RANGE (the client attaches the response). */
function outOfRangePartitions(
  err: unknown,
  metadata: ClusterMetadata,
): { topic: string; partition: number }[] {
  const response = (err as { response?: FetchResponse })?.response;
  if (!response?.responses) return [];
  const out: { topic: string; partition: number }[] = [];
  for (const t of response.responses) {
    const topic = topicName(metadata, t.topicId);
    if (topic === undefined) continue;
    for (const p of t.partitions)
      if (p.errorCode === OFFSET_OUT_OF_RANGE) out.push({ topic, partition: p.partitionIndex });
  }
  return out;
}
