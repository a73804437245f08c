import type { Clock } from '../clock.js';
import { TributaryError } from '../errors.js';
import { resolveTopic } from '../internal/graph/nodes.js';
import type { Topology } from '../internal/graph/topology.js';
import { taskIdOf } from '../internal/names.js';
import type { ActiveTask } from '../internal/runtime/active-task.js';
import { commitTasks } from '../internal/runtime/commit.js';
import { type ErrorCounters, type ErrorPolicy, newErrorCounters } from '../internal/runtime/error-policy.js';
import { GlobalState } from '../internal/runtime/global-state.js';
import { closeTask, createTask, type TaskEnvironment } from '../internal/runtime/task-factory.js';
import { inMemoryBackend } from '../internal/state/backends.js';
import type {
  ConsumerPort,
  OutgoingRecord,
  ProducedOffset,
  ProducerPort,
  RawRecord,
  TopicPartitionOffset,
} from '../kafka/ports.js';
import { type Logger, silentLogger } from '../logger.js';
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
  logger?: Logger;
  /** The stores' backend; default: the in-memory backend (the same store stack as production). */
  stateBackend?: StateBackend;
  /**
   * The changelog topics, kept in memory: commit() writes them, a new driver given the same
   * changelog restores its stores from it (a restart or a move to another instance, without Kafka).
   */
  changelog?: InMemoryChangelog;
}

/**
 * Runs a topology without Kafka: every sub-topology as one task (partition 0), built by the same
 * factory as the Kafka runtime's tasks, with the real store stack (typed stores, caching,
 * change-logging onto an in-memory changelog). Records written to topics the topology itself reads
 * (repartition topics) are fed back at once; everything else is captured for output topics.
 * commit() runs the runtime's commit sequence. It tests semantics; broker behaviour is covered by
 * integration tests.
 */
export class TopologyTestDriver {
  private readonly tasks: ActiveTask[] = [];
  private readonly taskByTopic = new Map<string, ActiveTask>();
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
  readonly applicationId: string;
  /** The in-memory changelog topics this driver writes at commit() and restored from at create(). */
  readonly changelog: InMemoryChangelog;

  private constructor(
    private readonly topology: Topology,
    private readonly options: TopologyTestDriverOptions,
  ) {
    this.applicationId = options.applicationId ?? 'test-app';
    this.wallClock = options.initialWallClockMs ?? 0;
    this.logger = options.logger ?? silentLogger;
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
      logger: this.logger,
      clock: this.clock,
    };
    for (const st of this.topology.subtopologies) {
      const id = taskIdOf(st.id, 0);
      const task = await createTask({ id, subtopology: st, partition: 0 }, env, {
        committedOffsets: new Map(),
        outputs: this.queue,
        producer: undefined,
      });
      this.tasks.push(task);
      for (const t of st.topics) this.taskByTopic.set(resolveTopic(t, this.applicationId), task);
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
      (t, k, v, ts, h) => this.pipe(t, k, v, ts, h),
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
  ): Promise<void> {
    const ts = timestamp ?? this.lastTimestamp;
    this.lastTimestamp = ts;
    await this.deliver({ topic, key, value, timestamp: ts, headers });
    while (this.queue.length > 0) await this.deliver(this.queue.shift() as OutgoingRecord);
  }

  private async deliver(r: OutgoingRecord): Promise<void> {
    const target = this.taskByTopic.get(r.topic);
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
      partition: 0,
      offset: this.nextOffset(r.topic),
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers,
    };
    if (isGlobal) this.applyGlobal?.([raw]);
    else await target?.stream.process([raw]);
  }

  /** Moves wall-clock time forward and fires due wall-clock punctuators (e.g. idle window close). */
  async advanceWallClockTime(ms: number): Promise<void> {
    this.wallClock += ms;
    for (const t of this.tasks) await t.stream.punctuateWallClock(this.wallClock);
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

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    const s = this.findStore(name);
    return s as KeyValueStore<K, V>;
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.findStore(name) as WindowStore<K, V>;
  }

  /** A windowed aggregation's store: each window's aggregate and its largest record timestamp. */
  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> {
    return this.findStore(name) as TimestampedWindowStore<K, V>;
  }

  private findStore(name: string): StateStore {
    for (const t of this.tasks) {
      if (t.stores && t.subtopology.stores.some((d) => d.name === name)) return t.stores.store(name);
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
