import {
  type Broker,
  type Connection,
  ConnectionPool,
  Consumer,
  type ConsumerGroupJoinPayload,
  kGetApi,
  kOptions,
} from '@platformatic/kafka';
import { TributaryError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  ConsumerHandlers,
  ConsumerPort,
  KafkaPort,
  TopicPartition,
  TopicPartitionOffset,
} from '../ports.js';
import type { platformaticSecurityOptions } from '../security.js';
import { groupCommitError, isFencedInstance } from './errors.js';
import { PartitionFetcher } from './partition-fetcher.js';
import { stickyTaskAssigner, stickyTaskProtocol } from './sticky-task-assignor.js';

/** Fetch settings of the runtime's consumer (the same as the kafkajs adapter's). */
export const PLATFORMATIC_CONSUMER_FETCH = { maxBytesPerPartition: 1024 * 1024, maxWaitTimeMs: 250 } as const;

export interface ClientBase {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  /** TLS and SASL settings (kafka/security.ts maps them). */
  readonly connection?: ReturnType<typeof platformaticSecurityOptions>;
}

type OffsetCommitApi = (
  connection: Connection,
  groupId: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null,
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      committedMetadata: null;
    }[];
  }[],
  callback: (err: unknown) => void,
) => void;

/**
 * The runtime's group consumer on @platformatic/kafka, classic group protocol: the client keeps
 * the membership (join, sync, heartbeats, rejoin when the group rebalances), the sticky task
 * assignor decides who gets which partition numbers, and the PartitionFetcher reads. With a
 * `groupInstanceId` the member is static (KIP-345): an instance that crashes and comes back within
 * the session timeout takes its old member's place and gets the same partitions, without a rebalance.
 */
export class PlatformaticConsumer implements ConsumerPort {
  readonly groupId: string;
  private readonly client: Consumer;
  private readonly fetcher: PartitionFetcher;
  /** Fetches and offset commits go here, not where the client's JoinGroup may wait for seconds. */
  private readonly dataPool: ConnectionPool;
  private readonly groupInstanceId: string | undefined;
  private assignmentSeq = 0;
  /** Seeks made while a new assignment's positions are looked up; applied on top of them. */
  private pendingSeeks: TopicPartitionOffset[] | undefined;
  private handlers: ConsumerHandlers | undefined;
  private coordinator: Broker | undefined;
  private closed = false;

  constructor(
    base: ClientBase,
    opts: Parameters<KafkaPort['consumer']>[0],
    private readonly logger: Logger,
  ) {
    this.groupId = opts.groupId;
    this.groupInstanceId = opts.groupInstanceId;
    const owned = opts.ownedPartitions ?? (() => []);
    this.client = new Consumer({
      clientId: base.clientId,
      bootstrapBrokers: base.bootstrapBrokers,
      ...base.connection,
      groupId: opts.groupId,
      ...(opts.groupInstanceId ? { groupInstanceId: opts.groupInstanceId } : {}),
      sessionTimeout: opts.sessionTimeoutMs,
      rebalanceTimeout: Math.max(60_000, opts.sessionTimeoutMs),
      heartbeatInterval: Math.max(500, Math.floor(opts.sessionTimeoutMs / 10)),
      protocols: [stickyTaskProtocol(owned)],
      partitionAssigner: stickyTaskAssigner,
      autocommit: false,
      isolationLevel: opts.readCommitted ? 1 : 0,
      retries: 10,
      retryDelay: 200,
    });
    this.dataPool = new ConnectionPool(base.clientId, { ...this.client[kOptions] });
    this.fetcher = new PartitionFetcher(
      this.client,
      { readCommitted: opts.readCommitted, ...PLATFORMATIC_CONSUMER_FETCH, connectionPool: this.dataPool },
      logger,
    );
  }

  async connect(): Promise<void> {
    // The client connects lazily; a metadata call fails here, as kafkajs' connect() would, if no broker answers.
    await this.client.metadata({ topics: [] });
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.client.topics.track(t);
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    this.client.on('consumer:group:join', (p: ConsumerGroupJoinPayload) => void this.onJoin(p));
    this.client.on('consumer:group:rebalance', () => handlers.onRebalancing());
    this.client.on('consumer:heartbeat:error', (e: { error?: unknown }) => {
      if (!isFencedInstance(e.error)) return;
      this.crash(
        new TributaryError(
          'CONFIG_INVALID',
          `another instance joined group ${this.groupId} with this instance's group.instance.id ` +
            `${this.groupInstanceId} (FENCED_INSTANCE_ID): each instance needs its own instanceId or state dir`,
          { cause: e.error },
        ),
      );
    });
    // The client emits 'error' when a rejoin failed after all its retries: the membership is lost.
    this.client.on('error', (err: unknown) => this.crash(err));
    await this.client.joinGroup({});
    this.fetcher.start(
      {
        onBatch: (records, highWatermark, isStale) =>
          handlers.onBatch(records, () => Promise.resolve(), highWatermark, isStale),
        ...(handlers.onPosition ? { onPosition: handlers.onPosition.bind(handlers) } : {}),
      },
      (err) => this.crash(err),
    );
  }

  /**
   * A new generation: fetching stops at once, the runtime learns the full assignment (it keeps the
   * tasks it still owns), and every assigned partition is fetched again from its committed offset,
   * as the kafkajs adapter does (records below a kept task's position are dropped by the runtime).
   */
  private async onJoin(payload: ConsumerGroupJoinPayload): Promise<void> {
    const seq = ++this.assignmentSeq;
    const assignment: TopicPartition[] = (payload.assignments ?? []).flatMap((a) =>
      a.partitions.map((partition) => ({ topic: a.topic, partition })),
    );
    this.fetcher.assign([]);
    this.pendingSeeks = [];
    this.logger.debug('group joined', {
      generationId: payload.generationId,
      memberId: payload.memberId,
      partitions: assignment.length,
    });
    this.handlers?.onAssigned(assignment);
    for (let attempt = 0; ; attempt++) {
      try {
        const positions = await this.committedPositions(assignment);
        if (seq !== this.assignmentSeq || this.closed) return;
        this.fetcher.assign(positions);
        this.fetcher.seek(this.pendingSeeks ?? []);
        this.pendingSeeks = undefined;
        return;
      } catch (err) {
        if (seq !== this.assignmentSeq || this.closed) return;
        if (attempt >= 10) {
          this.crash(err);
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** Math.min(attempt, 4)));
      }
    }
  }

  /** Committed offsets of the partitions; the earliest offset where none is committed (auto.offset.reset=earliest). */
  private async committedPositions(assignment: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    if (assignment.length === 0) return [];
    const byTopic = new Map<string, number[]>();
    for (const tp of assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const committed = await this.client.listCommittedOffsets({
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
    const missing = assignment.filter((tp) => (committed.get(tp.topic)?.[tp.partition] ?? -1n) < 0n);
    const earliest =
      missing.length > 0
        ? await this.client.listOffsets({ topics: [...new Set(missing.map((m) => m.topic))], timestamp: -2n })
        : new Map<string, bigint[]>();
    return assignment.map((tp) => {
      const c = committed.get(tp.topic)?.[tp.partition] ?? -1n;
      return { ...tp, offset: c >= 0n ? c : (earliest.get(tp.topic)?.[tp.partition] ?? 0n) };
    });
  }

  seek(offsets: readonly TopicPartitionOffset[]): void {
    if (this.pendingSeeks) this.pendingSeeks.push(...offsets);
    else this.fetcher.seek(offsets);
  }

  /**
   * OffsetCommit under the generation this member holds right now. Not the client's commit(): on a
   * rebalance error that one rejoins the group and commits again under the new generation, which
   * could overwrite the progress of a partition's new owner. Here the error is TASK_MIGRATED.
   */
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const memberId = this.client.memberId;
    const generationId = this.client.generationId;
    if (!memberId)
      throw new TributaryError('TASK_MIGRATED', 'offset commit without group membership (rejoining)');
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset });
      byTopic.set(o.topic, list);
    }
    const topics = [...byTopic].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((p) => ({ ...p, committedLeaderEpoch: -1, committedMetadata: null })),
    }));
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await this.coordinatorConnection();
        const api = await new Promise<OffsetCommitApi>((resolve, reject) =>
          this.client[kGetApi]('OffsetCommit', (err: unknown, a: unknown) =>
            err ? reject(err) : resolve(a as OffsetCommitApi),
          ),
        );
        await new Promise<void>((resolve, reject) =>
          api(
            connection,
            this.groupId,
            generationId,
            memberId,
            this.groupInstanceId ?? null,
            topics,
            (err) => (err ? reject(err) : resolve()),
          ),
        );
        return;
      } catch (err) {
        const mapped = groupCommitError(err);
        if (mapped !== 'retry' || attempt >= 5) throw mapped === 'retry' ? err : mapped;
        this.coordinator = undefined;
        this.client.clearMetadata();
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  /** Looked up once and kept until a commit fails: the lookups share the connection a JoinGroup may hold. */
  private async coordinatorConnection(): Promise<Connection> {
    if (!this.coordinator) {
      const coordinatorId = await this.client.findGroupCoordinator();
      const metadata = await this.client.metadata({ topics: [] });
      this.coordinator = metadata.brokers.get(coordinatorId) as Broker | undefined;
      if (!this.coordinator)
        throw new TributaryError('KAFKA_ERROR', `group coordinator ${coordinatorId} is not in the metadata`);
    }
    return this.dataPool.get(this.coordinator);
  }

  private crash(err: unknown): void {
    if (this.closed) return;
    this.logger.error('consumer lost its group membership', {
      error: String((err as Error)?.message ?? err),
    });
    this.handlers?.onCrash(err);
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fetcher.stop();
    await this.dataPool.close().catch(() => {});
    // A graceful close leaves the group, so the partitions move at once (a crashed static member
    // is instead waited for until its session times out).
    await new Promise<void>((resolve) =>
      this.client.close(true, (err) => {
        if (err) this.logger.warn('consumer close failed', { error: String(err.message) });
        resolve();
      }),
    );
  }
}
