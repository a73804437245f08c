import type { Clock } from '../clock.js';
import { TributaryError } from '../errors.js';
import { resolveTopic } from '../internal/graph/nodes.js';
import type { Topology } from '../internal/graph/topology.js';
import { type ErrorCounters, type ErrorPolicy, newErrorCounters } from '../internal/runtime/error-policy.js';
import { StreamTask } from '../internal/runtime/stream-task.js';
import type { OutgoingRecord } from '../kafka/ports.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Headers } from '../record.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { SinkTask } from '../sink/sink.js';
import type { KeyValueStore, StateStore, WindowStore } from '../state/store.js';
import { MemoryKeyValueStore, MemoryWindowStore } from './memory-stores.js';
import { type CapturedRecord, TestInputTopic, TestOutputTopic } from './test-topics.js';

export interface TopologyTestDriverOptions {
  applicationId?: string;
  /** Wall-clock start (ms); advance it with advanceWallClockTime. */
  initialWallClockMs?: number;
  errorPolicy?: ErrorPolicy;
  logger?: Logger;
}

interface DriverTask {
  readonly task: StreamTask;
  readonly stores: Map<string, StateStore>;
  readonly sinks: Map<string, SinkTask<unknown, unknown>>;
}

/**
 * Runs a topology without Kafka: every sub-topology as one task (partition 0) with in-memory stores.
 * Records written to topics the topology itself reads (repartition topics, internal loops) are fed
 * back at once; everything else is captured for output topics. It runs the same processors as the
 * Kafka runtime, so it tests semantics; broker behaviour is covered by integration tests.
 */
export class TopologyTestDriver {
  private readonly tasks: DriverTask[] = [];
  private readonly taskByTopic = new Map<string, DriverTask>();
  private readonly globalStores = new Map<
    string,
    { store: MemoryKeyValueStore<unknown, unknown>; keySerde: Serde<unknown>; valueSerde: Serde<unknown> }
  >();
  private readonly globalByTopic = new Map<string, string>();
  private readonly outputs = new Map<string, CapturedRecord[]>();
  private readonly offsets = new Map<string, bigint>();
  private readonly queue: OutgoingRecord[] = [];
  private wallClock: number;
  private readonly clock: Clock = { now: () => this.wallClock };
  private lastTimestamp = 0;
  readonly applicationId: string;

  private constructor(
    private readonly topology: Topology,
    private readonly options: TopologyTestDriverOptions,
  ) {
    this.applicationId = options.applicationId ?? 'test-app';
    this.wallClock = options.initialWallClockMs ?? 0;
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
    const logger = this.options.logger ?? silentLogger;
    for (const g of this.topology.globalStores) {
      this.globalStores.set(g.name, {
        store: new MemoryKeyValueStore(g.name, g.keySerde),
        keySerde: g.keySerde,
        valueSerde: g.valueSerde,
      });
      this.globalByTopic.set(g.topic, g.name);
    }
    for (const st of this.topology.subtopologies) {
      const taskId = `${st.id}_0`;
      const stores = new Map<string, StateStore>();
      for (const def of st.stores) {
        stores.set(
          def.name,
          def.kind === 'window'
            ? new MemoryWindowStore(def.name, def.keySerde, def.retentionMs ?? Number.POSITIVE_INFINITY)
            : new MemoryKeyValueStore(def.name, def.keySerde),
        );
      }
      const sinks = new Map<string, SinkTask<unknown, unknown>>();
      for (const node of st.nodes) {
        if (node.kind !== 'external-sink') continue;
        sinks.set(
          node.name,
          await node.sink.openTask({
            applicationId: this.applicationId,
            taskId,
            committedOffsets: new Map(),
            requestCommit: () => {},
            logger,
            clock: this.clock,
          }),
        );
      }
      const task = new StreamTask({
        taskId,
        applicationId: this.applicationId,
        partition: 0,
        subtopology: st,
        store: (name) => {
          const s = stores.get(name) ?? this.globalStores.get(name)?.store;
          if (!s) throw new TributaryError('STORE_NOT_FOUND', `no store "${name}"`);
          return s;
        },
        sinkTasks: sinks,
        collector: { send: (r) => this.queue.push(r) },
        errorPolicy: this.options.errorPolicy ?? { mode: 'fail' },
        logger,
        clock: this.clock,
        requestCommit: () => {},
      });
      const dt: DriverTask = { task, stores, sinks };
      this.tasks.push(dt);
      for (const t of st.topics) this.taskByTopic.set(resolveTopic(t, this.applicationId), dt);
    }
    for (const dt of this.tasks) await dt.task.init();
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
    const globalName = this.globalByTopic.get(r.topic);
    if (globalName) {
      const g = this.globalStores.get(globalName);
      if (g) {
        const key = g.keySerde.deserialize(r.key, r.topic);
        if (r.value === null) g.store.delete(key);
        else g.store.put(key, g.valueSerde.deserialize(r.value, r.topic));
      }
      return;
    }
    const target = this.taskByTopic.get(r.topic);
    if (!target) {
      this.outputQueue(r.topic).push({
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      });
      return;
    }
    const offset = this.nextOffset(r.topic);
    await target.task.process([
      {
        topic: r.topic,
        partition: 0,
        offset,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      },
    ]);
  }

  /** Moves wall-clock time forward and fires due wall-clock punctuators (e.g. idle window close). */
  async advanceWallClockTime(ms: number): Promise<void> {
    this.wallClock += ms;
    for (const dt of this.tasks) await dt.task.punctuateWallClock(this.wallClock);
    while (this.queue.length > 0) await this.deliver(this.queue.shift() as OutgoingRecord);
  }

  /** Runs the file sinks' commit steps (prepare, publish) as a runtime commit would. */
  async commit(): Promise<void> {
    for (const dt of this.tasks) {
      const ranges = dt.task.uncommittedRanges();
      for (const sink of dt.sinks.values()) await sink.prepare(ranges);
      for (const sink of dt.sinks.values()) await sink.publish();
      dt.task.markCommitted();
    }
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    const s = this.findStore(name);
    return s as KeyValueStore<K, V>;
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.findStore(name) as WindowStore<K, V>;
  }

  private findStore(name: string): StateStore {
    for (const dt of this.tasks) {
      const s = dt.stores.get(name);
      if (s) return s;
    }
    const g = this.globalStores.get(name);
    if (g) return g.store;
    throw new TributaryError('STORE_NOT_FOUND', `no store "${name}"`);
  }

  /** Error counters summed over tasks. */
  errorCounters(): ErrorCounters {
    const sum = newErrorCounters();
    for (const dt of this.tasks) {
      for (const k of Object.keys(sum) as (keyof ErrorCounters)[]) sum[k] += dt.task.counters[k];
    }
    return sum;
  }

  /** Late records that reached no lateRecords() route. */
  lateRecordsUnrouted(): number {
    return this.tasks.reduce((n, dt) => n + dt.task.lateRecordsUnrouted, 0);
  }

  async close(): Promise<void> {
    for (const dt of this.tasks) {
      await dt.task.close();
      for (const s of dt.sinks.values()) await s.close();
    }
  }
}
