import { type Clock, systemClock } from './clock.js';
import { errorMessage, isTributaryError, TributaryError } from './errors.js';
import { resolveTopic } from './internal/graph/nodes.js';
import type { Topology } from './internal/graph/topology.js';
import { globalGroupIdOf } from './internal/names.js';
import { heartbeatUntilSettled, settlesWithin } from './internal/runtime/bounded-wait.js';
import { deadLetterTopicsOf } from './internal/runtime/dead-letter.js';
import { GlobalState } from './internal/runtime/global-state.js';
import { planInternalTopics } from './internal/runtime/internal-topics.js';
import { SerialLock } from './internal/runtime/lock.js';
import { dlqMaxMessageBytes } from './internal/runtime/record-limits.js';
import { type StateListener, StateMachine, type StreamsState } from './internal/runtime/state-machine.js';
import { DEFAULT_PARTITION_IDLE_MS } from './internal/runtime/stream-task.js';
import { TaskManager } from './internal/runtime/task-manager.js';
import { builtInPort } from './kafka/client-choice.js';
import { groupInstanceIdOf } from './kafka/instance-id.js';
import type { AdminPort, ConsumerPort, KafkaPort, ProducerPort } from './kafka/ports.js';
import { redactingLogger } from './kafka/security-errors.js';
import { jsonLogger, type Logger } from './logger.js';
import { Operations } from './operations.js';
import type { KeyQueryMetadata, QueryableStoreType, ReadOnlyStoreOf } from './query/read-only-stores.js';
import type { RestoreProgress } from './state/store.js';
import { boundsOf, type KafkaClientName, kafkaClientOf, type TributaryConfig } from './tributary-config.js';

export type { KafkaClientName, ServerConfig, TributaryConfig } from './tributary-config.js';

/**
 * Runs a topology as a member of the consumer group `applicationId`: one task per input partition of
 * each sub-topology, with state restored from changelogs, commits on an interval, and an explicit
 * lifecycle (created -> rebalancing <-> running -> pending-shutdown -> not-running, or error).
 */
export class Tributary {
  private readonly sm = new StateMachine();
  private readonly lock = new SerialLock();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly port: KafkaPort;
  /** The built-in adapter in use (undefined when the config brought its own port). */
  private readonly kafkaClient: KafkaClientName | undefined;
  private readonly exactlyOnce: boolean;
  private readonly bounds: ReturnType<typeof boundsOf>;
  private readonly restoreListeners = new Set<(e: RestoreProgress) => void>();
  private consumer: ConsumerPort | undefined;
  private commitAdmin: AdminPort | undefined;
  private producer: ProducerPort | undefined;
  private tasks: TaskManager | undefined;
  private globals: GlobalState;
  private ticker: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private fatal: unknown;
  private readonly ops: Operations;
  private partitionsBySubtopology: ReadonlyMap<number, number> | undefined;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  /** Settles when the app stops: resolves after a clean close, rejects with the error that stopped it. */
  readonly done: Promise<void>;

  constructor(
    private readonly topology: Topology,
    private readonly config: TributaryConfig,
  ) {
    if (!config.applicationId) throw new TributaryError('CONFIG_INVALID', 'applicationId is required');
    if (!config.bootstrapServers && !config.kafka)
      throw new TributaryError('CONFIG_INVALID', 'bootstrapServers is required');
    // A bad limit or bound is a configuration error now, not at the first record it would apply to.
    this.bounds = boundsOf(config);
    // Every line of the runtime and its clients, with any configured secret blanked out.
    const logger = redactingLogger(
      (config.logger ?? jsonLogger('info')).child({ app: config.applicationId }),
      config.security,
    );
    this.logger = logger;
    this.clock = config.clock ?? systemClock;
    this.ops = new Operations({
      applicationId: config.applicationId,
      topology,
      applicationServer: config.applicationServer,
      server: config.server,
      replicationFactor: config.replicationFactor ?? -1,
      logger,
      clock: this.clock,
      state: () => this.sm.state,
      tasks: () => this.tasks,
      taskCount: (id) => this.partitionsBySubtopology?.get(id),
      globalStore: (name) => this.globals.store(name),
      counters: () => this.metrics(),
    });
    this.sm.onChange(() => this.ops.changed());
    this.exactlyOnce = config.processingGuarantee === 'exactly-once';
    this.kafkaClient = config.kafka ? undefined : kafkaClientOf(config);
    this.port =
      config.kafka ??
      builtInPort(this.kafkaClient ?? 'kafkajs', {
        bootstrapServers: config.bootstrapServers,
        clientId: config.applicationId,
        logger: this.logger,
        security: config.security,
      });
    this.globals = new GlobalState(topology, this.logger, this.clock);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => {}); // observed through start()/close() as well; never an unhandled rejection
  }

  get state(): StreamsState {
    return this.sm.state;
  }

  onStateChange(listener: StateListener): () => void {
    return this.sm.onChange(listener);
  }

  onRestoreProgress(listener: (e: RestoreProgress) => void): () => void {
    this.restoreListeners.add(listener);
    return () => this.restoreListeners.delete(listener);
  }

  /** Waits until the state is one of `states`. */
  waitForState(...states: StreamsState[]): Promise<StreamsState> {
    return this.sm.waitFor(...states);
  }

  metrics(): Record<string, number> {
    return { ...(this.tasks?.metrics() ?? {}), globalTableErrors: this.globals.errors };
  }

  /**
   * Read-only access to a store of this instance's tasks while the app runs, as Kafka Streams'
   * `KafkaStreams#store`. Reads throw STORE_UNAVAILABLE (retry) while the app rebalances or the
   * task restores, KEY_NOT_HOSTED when another instance holds the key (see metadataForKey).
   */
  store<K, V, T extends QueryableStoreType = QueryableStoreType>(
    name: string,
    opts: { type: T },
  ): ReadOnlyStoreOf<T, K, V> {
    return this.ops.queries.store<K, V, T>(name, opts.type);
  }

  /** Which partition, task and instance (`applicationServer`) hold `key` in `store`. */
  metadataForKey<K>(store: string, key: K): KeyQueryMetadata {
    return this.ops.queries.metadataForKey(store, key);
  }

  /** The `host:port` this instance advertises (after start), when it has a server or one configured. */
  get applicationServer(): string | undefined {
    return this.ops.applicationServer;
  }

  /**
   * Creates internal topics, bootstraps global tables, joins the group and starts processing.
   * Resolves once processing has started; an abort of `signal` closes the app gracefully.
   */
  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.sm.state !== 'created')
      throw new TributaryError('ILLEGAL_STATE', `start() in state ${this.sm.state}`);
    this.sm.transition('rebalancing');
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
    try {
      await this.prepare();
    } catch (err) {
      await this.fail(err);
      throw err;
    }
  }

  private async prepare(): Promise<void> {
    const { applicationId } = this.config;
    const policy = this.config.errorPolicy ?? { mode: 'fail' };
    const { recordLimits, buffering } = this.bounds;
    const admin = this.port.admin();
    await admin.connect();
    let plan: Awaited<ReturnType<typeof planInternalTopics>>;
    try {
      plan = await planInternalTopics(this.topology, applicationId, admin, {
        replicationFactor: this.config.replicationFactor ?? -1,
        dlqTopics: deadLetterTopicsOf(this.topology, applicationId, policy),
        // A source record near the size limit still fits with the DLQ headers added.
        dlqMaxMessageBytes: dlqMaxMessageBytes(recordLimits),
      });
      await admin.createTopics([...plan.toCreate, ...this.ops.internalTopics()]);
    } finally {
      await admin.disconnect();
    }

    this.partitionsBySubtopology = plan.partitionsBySubtopology;
    await this.ops.start(this.port);
    await this.globals.start(this.port.tailer({ groupId: globalGroupIdOf(applicationId) }));

    const groupInstanceId = await groupInstanceIdOf(this.config, this.kafkaClient);
    const consumer = this.port.consumer({
      ...(groupInstanceId ? { groupInstanceId } : {}),
      groupId: applicationId,
      readCommitted: this.exactlyOnce,
      sessionTimeoutMs: this.config.sessionTimeoutMs ?? 10_000,
      ownedPartitions: () => [...new Set([...(this.tasks?.tasks.values() ?? [])].map((t) => t.partition))],
    });
    this.consumer = consumer;
    if (!this.exactlyOnce) {
      this.producer = this.port.producer({ idempotent: true });
      await this.producer.connect();
    }
    const commitAdmin = this.port.admin();
    this.commitAdmin = commitAdmin;
    let commitAdminConnected: Promise<void> | undefined;
    this.tasks = new TaskManager({
      topology: this.topology,
      applicationId,
      port: this.port,
      consumer,
      sharedProducer: this.producer,
      exactlyOnce: this.exactlyOnce,
      state: this.config.stateBackend,
      globals: this.globals,
      errorPolicy: policy,
      recordLimits,
      buffering,
      logger: this.logger,
      clock: this.clock,
      commitIntervalMs: this.config.commitIntervalMs ?? (this.exactlyOnce ? 100 : 1000),
      sessionTimeoutMs: this.config.sessionTimeoutMs ?? 10_000,
      eventTime: this.config.eventTime ?? 'watermark',
      partitionIdleMs: this.config.partitionIdleMs ?? DEFAULT_PARTITION_IDLE_MS,
      partitionCounts: new Map(plan.toCreate.map((t) => [t.name, t.partitions])),
      tasksPerSubtopology: plan.partitionsBySubtopology,
      stats: this.ops.stats,
      storeStats: this.ops.storeStats,
      onRestoreProgress: (e) => {
        this.ops.stats.onRestoreProgress(e);
        for (const l of this.restoreListeners) l(e);
      },
      onRecordFailed: (f) => this.ops.onRecordFailed(f),
      committedOffsets: async (topics) => {
        commitAdminConnected ??= commitAdmin.connect();
        await commitAdminConnected;
        return commitAdmin.committedOffsets(applicationId, topics);
      },
      purge: async (topic, offsets) => {
        commitAdminConnected ??= commitAdmin.connect();
        await commitAdminConnected;
        await commitAdmin.deleteRecordsBefore(topic, offsets);
      },
      endOffsets: async (topic) => {
        commitAdminConnected ??= commitAdmin.connect();
        await commitAdminConnected;
        return commitAdmin.endOffsets(topic);
      },
    });
    const tasks = this.tasks;

    await consumer.connect();
    const topics = this.topology.subtopologies.flatMap((st) =>
      st.topics.map((t) => resolveTopic(t, applicationId)),
    );
    await consumer.subscribe(topics);
    let rebalanceStartedAt: number | undefined;
    let assignmentSeq = 0;
    await consumer.run({
      onAssigned: (assignment) => {
        const seq = ++assignmentSeq;
        tasks.supersede(assignment);
        void this.lock
          .run(async () => {
            // A newer assignment is queued behind this one: it is complete (eager protocol), apply only that.
            if (this.isStopping() || seq !== assignmentSeq) return;
            // A revocation commit failed and the tasks were rebuilt: apply the assignment to them.
            if (!(await tasks.guard(() => tasks.assign(assignment)))) await tasks.assign(assignment);
            tasks.setRebalancing(false);
            if (this.sm.state === 'rebalancing') this.sm.transition('running');
            // The pause users see: from the group announcing a rebalance to tasks running again
            // (revoke commit, re-join, assignment and any restore).
            const pauseMs =
              rebalanceStartedAt === undefined ? undefined : this.clock.now() - rebalanceStartedAt;
            rebalanceStartedAt = undefined;
            this.ops.stats.onRebalanced(pauseMs);
            this.ops.changed();
            this.logger.info('rebalance completed', {
              partitions: assignment.length,
              ...(pauseMs !== undefined ? { pauseMs } : {}),
            });
          })
          .catch((err) => this.fail(err));
      },
      onRebalancing: () => {
        rebalanceStartedAt ??= this.clock.now();
        tasks.setRebalancing(true);
        if (this.sm.state === 'running') this.sm.transition('rebalancing');
        // Commit what is processed so far, so the next owner of a moved partition starts close to here.
        void this.lock
          .run(async () => {
            if (!this.isStopping()) await tasks.guard(() => tasks.commitAll('rebalance'));
          })
          .catch((err) => this.fail(err));
      },
      onBatch: async (records, heartbeat, highWatermark, isStale) => {
        const work = this.lock.run(async () => {
          if (this.isStopping()) return;
          await tasks.guard(() => tasks.process(records, highWatermark, heartbeat, isStale));
        });
        // Keep the group session alive while a restore or commit holds the lock.
        await heartbeatUntilSettled(work, heartbeat);
        // Not awaited: fail() disconnects the consumer, and the consumer's disconnect waits for the
        // batch handler in flight (this one) to return. Awaiting it here was a deadlock.
        work.catch((err) => void this.fail(err));
      },
      onPosition: (topic, partition, next, highWatermark) =>
        tasks.advancePosition(topic, partition, next, highWatermark),
      onCrash: (err) => void this.fail(err),
    });
    this.ticker = setInterval(() => {
      void this.lock
        .run(async () => {
          if (!this.isStopping()) await tasks.guard(() => tasks.tick());
        })
        .catch((err) => this.fail(err));
    }, this.config.tickIntervalMs ?? 100);
  }

  private isStopping(): boolean {
    return this.closing !== undefined || this.fatal !== undefined;
  }

  /** Finishes the batch in flight, commits, closes stores and leaves the group. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.fatal !== undefined) {
        await this.done.catch(() => {});
        return;
      }
      if (this.sm.state === 'not-running') return;
      this.sm.transition('pending-shutdown');
      if (this.ticker) clearInterval(this.ticker);
      this.tasks?.requestStop();
      try {
        await this.lock.run(async () => {
          await this.tasks?.commitAll('shutdown');
          await this.tasks?.closeAll(true);
        });
      } catch (err) {
        if (isTributaryError(err, 'TASK_MIGRATED') || isTributaryError(err, 'TASK_CORRUPTED')) {
          // Lost the group, or the final transaction failed: nothing is lost, the next owner
          // re-reads from the last commit.
          this.logger.warn('final commit rejected by the group; closing without it', {
            error: errorMessage(err),
          });
          await this.tasks?.closeAll(false).catch(() => {});
          await this.disconnect();
          this.sm.transition('not-running');
          this.resolveDone();
          return;
        }
        // The same path as any fatal error: logged, a teardown bounded by failTeardownMs, `done` rejected.
        await this.fail(err);
        throw err;
      }
      await this.disconnect();
      this.sm.transition('not-running');
      this.logger.info('stopped', this.metrics());
      this.resolveDone();
    })();
    return this.closing;
  }

  private async disconnect(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
    await this.commitAdmin?.disconnect().catch(() => {});
    await this.globals.stop();
    await this.ops.stop();
  }

  private async fail(err: unknown): Promise<void> {
    if (this.fatal !== undefined) return;
    this.fatal = err;
    this.logger.error('stopping after an error', {
      error: errorMessage(err),
      code: (err as TributaryError)?.code,
      ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
    });
    if (this.ticker) clearInterval(this.ticker);
    if (this.sm.state !== 'not-running' && this.sm.state !== 'error') this.sm.transition('error');
    this.tasks?.requestStop();
    const teardown = (async () => {
      await this.tasks?.closeAll(false).catch(() => {});
      await this.disconnect();
    })();
    const timeoutMs = this.config.failTeardownMs ?? 10_000;
    if (!(await settlesWithin(teardown, timeoutMs)))
      this.logger.error('teardown after an error timed out; stopping without it', { timeoutMs });
    this.rejectDone(err);
  }
}
