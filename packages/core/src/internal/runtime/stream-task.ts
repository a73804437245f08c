import type { Clock } from '../../clock.js';
import { TributaryError } from '../../errors.js';
import type { RawRecord, TopicPartitionOffset } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { EventTimeMode, Processor, ProcessorContext } from '../../processor/processor.js';
import type { RecordMetadata, StreamRecord } from '../../record.js';
import type { OffsetRange, SinkTask } from '../../sink/sink.js';
import type { StateStore } from '../../state/store.js';
import type { GraphNode, SourceNode } from '../graph/nodes.js';
import { resolveTopic } from '../graph/nodes.js';
import type { Subtopology } from '../graph/topology.js';
import type { SkipCountingContext } from '../processors/skipped-records.js';
import {
  DeserializationError,
  type ErrorCounters,
  type ErrorPolicy,
  handleEmittedError,
  handleRecordError,
  newErrorCounters,
  type PolicyContext,
  type RecordFailure,
} from './error-policy.js';
import { PunctuationQueue } from './punctuation.js';
import type { RecordCollector } from './record-collector.js';
import { DEFAULT_RECORD_LIMITS, invalidTimestamp, type ResolvedRecordLimits } from './record-limits.js';
import {
  ExternalSinkProcessor,
  type Refused,
  TopicSinkProcessor,
  UnroutedLateProcessor,
} from './sink-processors.js';
import { SkipLog } from './skip-log.js';
import { TaskEventTime, type WatermarkWiring } from './task-event-time.js';
import { UncommittedOffsets, type UncommittedRange } from './uncommitted-offsets.js';

export { DEFAULT_PARTITION_IDLE_MS, type WatermarkWiring } from './task-event-time.js';

type AnyRecord = StreamRecord<unknown, unknown>;

type AnyProcessor = Processor<unknown, unknown, unknown, unknown>;

export interface StreamTaskOptions {
  readonly taskId: string;
  readonly applicationId: string;
  readonly partition: number;
  readonly subtopology: Subtopology;
  readonly store: (name: string) => StateStore;
  readonly sinkTasks: ReadonlyMap<string, SinkTask<unknown, unknown>>;
  readonly collector: RecordCollector;
  readonly errorPolicy: ErrorPolicy;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly requestCommit: () => void;
  /** Whether every input partition is read to its end; the driver leaves it out (always caught up). */
  readonly isCaughtUp?: () => boolean;
  /** The event-time clock; default 'watermark'. */
  readonly eventTime?: EventTimeMode;
  readonly watermarks?: WatermarkWiring;
  /** Event timestamps and outgoing records outside these are record errors; default DEFAULT_RECORD_LIMITS. */
  readonly recordLimits?: ResolvedRecordLimits;
  /** Told of every record the error policy skipped or dead-lettered. */
  readonly onRecordFailed?: (failure: RecordFailure) => void;
}

interface NodeInstance {
  readonly node: GraphNode;
  readonly processor: AnyProcessor;
  readonly children: NodeInstance[];
  readonly byName: Map<string, NodeInstance>;
}

/**
 * Runs one sub-topology for one partition: deserializes records, drives them through the processor
 * nodes synchronously, applies the error policy per record and fires punctuators. Shared by the Kafka
 * runtime and the TopologyTestDriver, so both run the same processors.
 */
export class StreamTask {
  readonly id: string;
  readonly counters: ErrorCounters = newErrorCounters();
  /** The event-time clock: watermark (and what goes downstream) or stream time. */
  readonly eventClock: TaskEventTime;
  /** Offsets processed since the last commit, per `topic:partition`: first and last. Only this class writes it. */
  private readonly uncommitted = new UncommittedOffsets();
  private readonly sourcesByTopic = new Map<string, NodeInstance>();
  private readonly instances: NodeInstance[] = [];
  private readonly punctuation = new PunctuationQueue();
  private readonly pending: Promise<void>[] = [];
  /** The record being processed; its metadata object is built only when a processor asks for it. */
  private currentRaw: RawRecord | undefined;
  private currentMeta: RecordMetadata | undefined;
  private readonly late: UnroutedLateProcessor[] = [];
  private readonly skips: SkipLog;
  private readonly limits: ResolvedRecordLimits;
  /** The wall clock read once per batch, punctuation or close: the sinks' timestamp limit uses it. */
  private now: number;

  constructor(readonly opts: StreamTaskOptions) {
    this.id = opts.taskId;
    this.limits = opts.recordLimits ?? DEFAULT_RECORD_LIMITS;
    this.now = opts.clock.now();
    this.eventClock = new TaskEventTime(opts, opts.eventTime ?? 'watermark');
    this.skips = new SkipLog(this.counters, opts.logger, opts.clock, this.id);
  }

  /** The task's event-time clock: the watermark, or under 'stream-time' the largest timestamp seen. */
  eventTime(): number {
    return this.eventClock.time;
  }

  get lateRecordsUnrouted(): number {
    return this.late.reduce((n, p) => n + p.count, 0);
  }

  /** Builds processor instances and runs their init (which may be async, e.g. to rebuild indexes). */
  async init(): Promise<void> {
    const byNode = new Map<string, NodeInstance>();
    for (const node of this.opts.subtopology.nodes) {
      const inst: NodeInstance = {
        node,
        processor: this.createProcessor(node),
        children: [],
        byName: new Map(),
      };
      byNode.set(node.name, inst);
      this.instances.push(inst);
    }
    for (const inst of this.instances) {
      for (const c of inst.node.children) {
        const child = byNode.get(c.name);
        if (!child) continue; // a repartition sink's source lives in another sub-topology
        inst.children.push(child);
        inst.byName.set(c.name, child);
      }
      if (inst.node.kind === 'source') {
        for (const t of inst.node.topics)
          this.sourcesByTopic.set(resolveTopic(t, this.opts.applicationId), inst);
      }
    }
    for (const inst of this.instances) {
      const r = inst.processor.init?.(this.contextFor(inst));
      if (r) await r;
    }
  }

  /** A sink refused a record: the policy applies to the input record, or if none (punctuator, close) to this one. */
  private readonly refused: Refused = (err, sinkTopic) => {
    if (this.currentRaw !== undefined) throw err;
    const inputTopic = this.sourcesByTopic.keys().next().value ?? sinkTopic;
    handleEmittedError(err, { sinkTopic, inputTopic, now: this.now }, this.policyContext());
  };

  private policyContext(): PolicyContext {
    const { errorPolicy: policy, collector, logger, onRecordFailed } = this.opts;
    return { policy, counters: this.counters, collector, logger, taskId: this.id, onRecordFailed };
  }

  private get current(): RecordMetadata | undefined {
    const raw = this.currentRaw;
    if (!raw) return undefined;
    if (!this.currentMeta)
      this.currentMeta = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
    return this.currentMeta;
  }

  private createProcessor(node: GraphNode): AnyProcessor {
    switch (node.kind) {
      case 'source':
        return { process: () => {} };
      case 'processor':
        if (node.operator === 'late-records' && node.children.length === 0) {
          const p = new UnroutedLateProcessor(node.name, this.opts.logger, this.opts.clock);
          this.late.push(p);
          return p;
        }
        return node.supplier();
      case 'sink': {
        const { limits, refused } = this;
        const repartition = typeof node.topic !== 'function' && node.topic.kind === 'repartition';
        const stamp = repartition ? this.eventClock.stamper() : undefined;
        const now = () => this.now;
        return new TopicSinkProcessor(node, this.opts.applicationId, this.opts.collector, {
          limits,
          now,
          stamp,
          refused,
        });
      }
      case 'external-sink': {
        const sinkTask = this.opts.sinkTasks.get(node.name);
        if (!sinkTask) throw new TributaryError('ILLEGAL_STATE', `no sink task for ${node.name}`);
        return new ExternalSinkProcessor(node.name, sinkTask, () => this.current, this.refused);
      }
    }
  }

  private contextFor(inst: NodeInstance): ProcessorContext & SkipCountingContext {
    const task = this;
    return {
      applicationId: this.opts.applicationId,
      taskId: this.id,
      partition: this.opts.partition,
      get recordMetadata() {
        return task.current;
      },
      forward(record: AnyRecord, childName?: string) {
        if (childName !== undefined) {
          const child = inst.byName.get(childName);
          if (!child)
            throw new TributaryError('ILLEGAL_STATE', `${inst.node.name} has no child ${childName}`);
          const r = child.processor.process(record);
          if (r) task.pending.push(r);
          return;
        }
        for (const child of inst.children) {
          const r = child.processor.process(record);
          if (r) task.pending.push(r);
        }
      },
      getStateStore: <S extends StateStore>(name: string) => {
        const allowed = inst.node.kind === 'processor' && inst.node.stores.includes(name);
        if (!allowed) {
          throw new TributaryError(
            'STORE_NOT_FOUND',
            `processor ${inst.node.name} is not connected to store "${name}"`,
          );
        }
        return this.opts.store(name) as S;
      },
      schedule: (intervalMs, type, callback) =>
        this.punctuation.schedule(intervalMs, type, callback, this.opts.clock.now()),
      currentStreamTime: () => this.eventTime(),
      eventTime: this.eventClock.mode,
      currentSystemTime: () => this.opts.clock.now(),
      isCaughtUp: () => this.opts.isCaughtUp?.() ?? true,
      requestCommit: () => this.opts.requestCommit(),
      recordSkipped: (reason) => this.skips.skipped(inst.node.name, reason, this.current),
    };
  }

  /** Processes a batch of one partition's records in order. Awaits only for async processors. */
  async process(records: readonly RawRecord[]): Promise<void> {
    // Per-run caches (records of one call normally share topic and partition): the source node and
    // the uncommitted range, so there is no key string or map lookup per record. The range is
    // dropped after every await, since a commit may clear `uncommitted` meanwhile.
    let srcTopic: string | undefined;
    let source: NodeInstance | undefined;
    let range: UncommittedRange | undefined;
    const clock = this.eventClock;
    // One wall-clock reading per batch: the watermark's idleness and the timestamp limits use it.
    const now = this.opts.clock.now();
    this.now = now;
    for (const raw of records) {
      if (raw.topic !== srcTopic || !source) {
        source = this.sourcesByTopic.get(raw.topic);
        if (!source)
          throw new TributaryError('ILLEGAL_STATE', `task ${this.id} has no source for topic ${raw.topic}`);
        srcTopic = raw.topic;
      }
      this.currentRaw = raw;
      this.currentMeta = undefined;
      // A watermark record moves the clock and is committed like a record, but no processor (and no
      // output, changelog or dead-letter topic) ever sees it; a data record's stamp is removed.
      if (!clock.takeWatermark(raw)) {
        try {
          const record = this.deserialize(source.node as SourceNode, raw, now);
          clock.observe(raw.topic, record.timestamp, now);
          for (const child of source.children) {
            const r = child.processor.process(record);
            if (r) this.pending.push(r);
          }
          if (this.pending.length > 0) {
            range = undefined;
            await this.drainPending();
          }
        } catch (err) {
          this.pending.length = 0;
          handleRecordError(err, raw, this.policyContext());
        }
      }
      if (range && range.topic === raw.topic && range.partition === raw.partition) range.last = raw.offset;
      else range = this.uncommitted.track(raw);
      // Stream-time punctuators wait for a clock: a watermark starts at -Infinity.
      if (this.punctuation.hasStreamTime && this.eventTime() > Number.NEGATIVE_INFINITY) {
        this.currentRaw = undefined;
        this.currentMeta = undefined;
        this.punctuation.fire('stream-time', this.eventTime(), this.pending);
        if (this.pending.length > 0) {
          range = undefined;
          await this.drainPending();
        }
      }
    }
    this.currentRaw = undefined;
    this.currentMeta = undefined;
    clock.maybeSend(now);
  }

  /**
   * Wall-clock upkeep of the watermark: source partitions that went idle stop holding it back
   * (stream-time punctuators fire if it moved), and it is sent downstream when due.
   */
  async refreshWatermark(now: number): Promise<void> {
    if (this.eventClock.mode !== 'watermark') return;
    this.now = now;
    if (this.eventClock.refresh(now) && this.punctuation.hasStreamTime) {
      this.currentRaw = undefined;
      this.currentMeta = undefined;
      this.punctuation.fire('stream-time', this.eventClock.time, this.pending);
      if (this.pending.length > 0) await this.drainPending();
    }
    this.eventClock.maybeSend(now);
  }

  private deserialize(source: SourceNode, raw: RawRecord, now: number): AnyRecord {
    try {
      const key = source.keySerde.deserialize(raw.key, raw.topic);
      const value = source.valueSerde.deserialize(raw.value, raw.topic);
      const timestamp = source.timestampExtractor
        ? source.timestampExtractor({ key, value, timestamp: raw.timestamp, topic: raw.topic })
        : raw.timestamp;
      const invalid = invalidTimestamp(timestamp, now, this.limits);
      if (invalid !== undefined) throw new Error(invalid);
      return { key, value, timestamp, headers: raw.headers };
    } catch (err) {
      throw new DeserializationError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  /** Whether records were processed since the last commit. */
  hasUncommitted(): boolean {
    return !this.uncommitted.isEmpty;
  }

  /** The input offsets a commit makes durable: the next offset to read per partition processed. */
  committableOffsets(): TopicPartitionOffset[] {
    return this.uncommitted.committable();
  }

  /** The offset ranges processed since the last commit (sinks name their files after them). */
  uncommittedRanges(): OffsetRange[] {
    return this.uncommitted.offsetRanges();
  }

  /** The commit that covered `committableOffsets()` succeeded. */
  markCommitted(): void {
    this.uncommitted.clear();
  }

  private async drainPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      await Promise.all(batch);
    }
  }

  /** Fires wall-clock punctuators that are due. */
  async punctuateWallClock(now: number): Promise<void> {
    this.now = now;
    this.currentRaw = undefined;
    this.currentMeta = undefined;
    this.punctuation.fire('wall-clock', now, this.pending);
    if (this.pending.length > 0) await this.drainPending();
  }

  async close(): Promise<void> {
    this.now = this.opts.clock.now();
    for (const inst of this.instances) {
      const r = inst.processor.close?.();
      if (r) await r;
    }
  }
}
