import type { Clock } from '../clock.js';
import { TributaryError } from '../errors.js';
import { resolveTopic } from '../internal/graph/nodes.js';
import type { Topology } from '../internal/graph/topology.js';
import { taskIdOf } from '../internal/names.js';
import type { ActiveTask } from '../internal/runtime/active-task.js';
import { commitTasks } from '../internal/runtime/commit.js';
import { type ErrorCounters, type ErrorPolicy, newErrorCounters } from '../internal/runtime/error-policy.js';
import { GlobalState } from '../internal/runtime/global-state.js';
import {
  DEFAULT_RECORD_LIMITS,
  type RecordLimits,
  type ResolvedRecordLimits,
  resolveRecordLimits,
} from '../internal/runtime/record-limits.js';
import { DEFAULT_PARTITION_IDLE_MS } from '../internal/runtime/stream-task.js';
import { closeTask, createTask, type TaskEnvironment } from '../internal/runtime/task-factory.js';
import { inMemoryBackend } from '../internal/state/backends.js';
import { partitionForKey } from '../kafka/murmur2.js';
import type {
  ConsumerPort,
  OutgoingRecord,
  ProducedOffset,
  ProducerPort,
  RawRecord,
  TopicPartitionOffset,
} from '../kafka/ports.js';
import { type Logger, silentLogger } from '../logger.js';
import type { EventTimeMode } from '../processor/processor.js';
import type { Headers } from '../record.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type {
  KeyValueStore,
  StateBackend,
  StateStore,
  TimestampedWindowStore,
  WindowStore,
} from '../state/store.js';
import { InMemoryChangelog } from './in-memory-changelog.js';
import { type CapturedRecord, TestInputTopic, TestOutputTopic } from './test-topics.js';

export interface TopologyTestDriverOptions {
  applicationId?: string;
  /** Wall-clock start (ms); advance it with advanceWallClockTime. */
  initialWallClockMs?: number;
  errorPolicy?: ErrorPolicy;
  /**
   * As `TributaryConfig.recordLimits`, but the timestamp limit is off by default (the driver's wall
   * clock starts at 0, and there is no broker); set `maxTimestampAheadMs` to test it.
   */
  recordLimits?: RecordLimits;
  logger?: Logger;
  /** The stores' backend; default: the in-memory backend (the same store stack as production). */
  stateBackend?: StateBackend;
  /**
   * The changelog topics, kept in memory: commit() writes them, a new driver given the same
   * changelog restores its stores from it (a restart or a move to another instance, without Kafka).
   */
  changelog?: InMemoryChangelog;
  /**
   * Partitions of every topic (and tasks per sub-topology); default 1. Records go to the partition
   * their key hashes to, as the Kafka producer would, or to the one `TestInputTopic.inPartition` picks.
   */
  partitions?: number;
  /** The event-time clock, as `TributaryConfig.eventTime`; default 'watermark'. */
  eventTime?: EventTimeMode;
  /** As `TributaryConfig.partitionIdleMs` (default 10 000), on the driver's wall clock. */
  partitionIdleMs?: number;
}

/**
 * Runs a topology without Kafka: every sub-topology as one task per partition (default: one
 * partition), built by the same factory as the Kafka runtime's tasks, with the real store stack (typed stores, caching,
 * change-logging onto an in-memory changelog). Records written to topics the topology itself reads
 * (repartition topics) are fed back at once; everything else is captured for output topics.
 * commit() runs the runtime's commit sequence. It tests semantics; broker behaviour is covered by
 * integration tests.
 */
export class TopologyTestDriver {
  private readonly tasks: ActiveTask[] = [];
  /** The tasks reading each topic, by partition. */
  private readonly tasksByTopic = new Map<string, ActiveTask[]>();
  readonly partitions: number;
  private readonly globals: GlobalState;
  private readonly globalTopics: Set<string>;
  private applyGlobal: ((records: readonly RawRecord[]) => void) | undefined;
  private readonly outputs = new Map<string, CapturedRecord[]>();
  private readonly offsets = new Map<string, bigint>();
  private readonly queue: OutgoingRecord[] = [];
  private wallClock: number;
  private readonly clock: Clock = { now: () => this.wallClock };
  private lastTimestamp = 0;
  private readonly logger: Logger;
  private readonly recordLimits: ResolvedRecordLimits;
  readonly applicationId: string;
  /** The in-memory changelog topics this driver writes at commit() and restored from at create(). */
  readonly changelog: InMemoryChangelog;

  private constructor(
    private readonly topology: Topology,
    private readonly options: TopologyTestDriverOptions,
  ) {
    this.applicationId = options.applicationId ?? 'test-app';
    this.wallClock = options.initialWallClockMs ?? 0;
    this.partitions = options.partitions ?? 1;
    if (!(Number.isInteger(this.partitions) && this.partitions > 0))
      throw new TributaryError(
        'CONFIG_INVALID',
        `partitions must be a positive integer, got ${this.partitions}`,
      );
    this.logger = options.logger ?? silentLogger;
    this.recordLimits = resolveRecordLimits(options.recordLimits, {
      ...DEFAULT_RECORD_LIMITS,
      maxTimestampAheadMs: Number.POSITIVE_INFINITY,
    });
    this.changelog = options.changelog ?? new InMemoryChangelog();
    this.globals = new GlobalState(topology, this.logger, this.clock);
    this.globalTopics = new Set(topology.globalStores.map((g) => g.topic));
  }

  static async create(
    topology: Topology,
    options: TopologyTestDriverOptions = {},
  ): Promise<TopologyTestDriver> {
    const driver = new TopologyTestDriver(topology, options);
    await driver.init();
    return driver;
  }

  private async init(): Promise<void> {
    // Global tables are applied by the runtime's own code; the "tailer" is this driver's pipe.
    await this.globals.start({
      start: async (_topics, onBatch) => {
        this.applyGlobal = onBatch;
      },
      stop: async () => {},
    });
    const env: TaskEnvironment = {
      applicationId: this.applicationId,
      state: this.options.stateBackend ?? inMemoryBackend({ clock: this.clock }),
      changelogReader: () => this.changelog,
      exactlyOnce: false,
      globalStore: (name) => this.globals.store(name),
      errorPolicy: this.options.errorPolicy ?? { mode: 'fail' },
      recordLimits: this.recordLimits,
      logger: this.logger,
      clock: this.clock,
      eventTime: this.options.eventTime ?? 'watermark',
      watermarks: {
        partitionIdleMs: this.options.partitionIdleMs ?? DEFAULT_PARTITION_IDLE_MS,
        // Every change goes downstream at once, so a test sees its effect right after the pipe.
        intervalMs: 0,
        heartbeatMs: Number.POSITIVE_INFINITY,
        partitionCount: () => this.partitions,
        taskCount: () => this.partitions,
      },
    };
    for (const st of this.topology.subtopologies) {
      for (let partition = 0; partition < this.partitions; partition++) {
        const id = taskIdOf(st.id, partition);
        const task = await createTask({ id, subtopology: st, partition }, env, {
          committedOffsets: new Map(),
          outputs: this.queue,
          producer: undefined,
        });
        this.tasks.push(task);
        for (const t of st.topics) {
          const topic = resolveTopic(t, this.applicationId);
          const byPartition = this.tasksByTopic.get(topic) ?? [];
          byPartition[partition] = task;
          this.tasksByTopic.set(topic, byPartition);
        }
      }
    }
  }

  createInputTopic<K = string, V = unknown>(
    topic: string,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): TestInputTopic<K, V> {
    return new TestInputTopic<K, V>(
      topic,
      keySerde ?? (Serdes.string() as unknown as Serde<K>),
      valueSerde ?? Serdes.json<V>(),
      (t, k, v, ts, h, p) => this.pipe(t, k, v, ts, h, p),
    );
  }

  createOutputTopic<K = string, V = unknown>(
    topic: string,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): TestOutputTopic<K, V> {
    return new TestOutputTopic<K, V>(
      topic,
      keySerde ?? (Serdes.string() as unknown as Serde<K>),
      valueSerde ?? Serdes.json<V>(),
      this.outputQueue(topic),
    );
  }

  private outputQueue(topic: string): CapturedRecord[] {
    let q = this.outputs.get(topic);
    if (!q) {
      q = [];
      this.outputs.set(topic, q);
    }
    return q;
  }

  private nextOffset(topic: string): bigint {
    const o = this.offsets.get(topic) ?? 0n;
    this.offsets.set(topic, o + 1n);
    return o;
  }

  private async pipe(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number | undefined,
    headers: Headers,
    partition: number | undefined,
  ): Promise<void> {
    const ts = timestamp ?? this.lastTimestamp;
    this.lastTimestamp = ts;
    if (
      partition !== undefined &&
      !(Number.isInteger(partition) && partition >= 0 && partition < this.partitions)
    )
      throw new TributaryError(
        'CONFIG_INVALID',
        `partition ${partition} out of range (driver has ${this.partitions})`,
      );
    await this.deliver({
      topic,
      key,
      value,
      timestamp: ts,
      headers,
      ...(partition !== undefined ? { partition } : {}),
    });
    while (this.queue.length > 0) await this.deliver(this.queue.shift() as OutgoingRecord);
  }

  private async deliver(r: OutgoingRecord): Promise<void> {
    const partition =
      r.partition ?? (r.key !== null && this.partitions > 1 ? partitionForKey(r.key, this.partitions) : 0);
    const target = this.tasksByTopic.get(r.topic)?.[partition];
    const isGlobal = this.globalTopics.has(r.topic);
    if (!target && !isGlobal) {
      this.outputQueue(r.topic).push({
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      });
      return;
    }
    const raw: RawRecord = {
      topic: r.topic,
      partition,
      offset: this.nextOffset(`${r.topic}:${partition}`),
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers,
      ...(r.watermark ? { watermark: r.watermark } : {}),
    };
    if (isGlobal) this.applyGlobal?.([raw]);
    else await target?.stream.process([raw]);
  }

  /** Moves wall-clock time forward and fires due wall-clock punctuators (e.g. idle window close). */
  async advanceWallClockTime(ms: number): Promise<void> {
    this.wallClock += ms;
    for (const t of this.tasks) {
      await t.stream.refreshWatermark(this.wallClock);
      await t.stream.punctuateWallClock(this.wallClock);
    }
    while (this.queue.length > 0) await this.deliver(this.queue.shift() as OutgoingRecord);
  }

  /**
   * Commits as the runtime does (at-least-once): sinks stage and publish their files, store caches
   * flush and their changelog records land in `changelog`, windows past retention expire.
   */
  async commit(): Promise<void> {
    const changelog = this.changelog;
    const producer: ProducerPort = {
      connect: async () => {},
      disconnect: async () => {},
      beginTransaction: () => {
        throw new TributaryError('ILLEGAL_STATE', 'the driver commits at-least-once');
      },
      send: async (records) => {
        const produced: ProducedOffset[] = [];
        for (const r of records) {
          const partition = r.partition ?? 0;
          const next = changelog.append([{ ...r, partition, key: r.key ?? Buffer.alloc(0) }]).get(r.topic);
          if (next !== undefined) produced.push({ topic: r.topic, partition, lastOffset: next - 1n });
        }
        return produced;
      },
    };
    const consumer = {
      groupId: this.applicationId,
      commit: async (_offsets: readonly TopicPartitionOffset[]) => {},
    } as unknown as ConsumerPort;
    await commitTasks(this.tasks, {
      consumer,
      sharedProducer: producer,
      logger: this.logger,
      clock: this.clock,
      reason: 'requested',
    });
  }

  /** A task's store; with several partitions, the task of `partition` (default 0). */
  getKeyValueStore<K, V>(name: string, partition = 0): KeyValueStore<K, V> {
    return this.findStore(name, partition) as KeyValueStore<K, V>;
  }

  getWindowStore<K, V>(name: string, partition = 0): WindowStore<K, V> {
    return this.findStore(name, partition) as WindowStore<K, V>;
  }

  /** A windowed aggregation's store: each window's aggregate and its largest record timestamp. */
  getTimestampedWindowStore<K, V>(name: string, partition = 0): TimestampedWindowStore<K, V> {
    return this.findStore(name, partition) as TimestampedWindowStore<K, V>;
  }

  private findStore(name: string, partition: number): StateStore {
    for (const t of this.tasks) {
      if (t.partition === partition && t.stores && t.subtopology.stores.some((d) => d.name === name))
        return t.stores.store(name);
    }
    const g = this.globals.store(name);
    if (g) return g;
    throw new TributaryError('STORE_NOT_FOUND', `no store "${name}"`);
  }

  /** Error counters summed over tasks. */
  errorCounters(): ErrorCounters {
    const sum = newErrorCounters();
    for (const t of this.tasks) {
      for (const k of Object.keys(sum) as (keyof ErrorCounters)[]) sum[k] += t.stream.counters[k];
    }
    return sum;
  }

  /** Late records that reached no lateRecords() route. */
  lateRecordsUnrouted(): number {
    return this.tasks.reduce((n, t) => n + t.stream.lateRecordsUnrouted, 0);
  }

  /** Closes tasks and stores (cleanly: a driver created later with the same changelog restores them). */
  async close(): Promise<void> {
    for (const t of this.tasks) {
      const errors = await closeTask(t, true);
      if (errors.length > 0) throw errors[0];
    }
    await this.globals.stop();
  }
}
