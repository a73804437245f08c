import type { RawRecord } from '../../kafka/ports.js';
import type { EventTimeMode } from '../../processor/processor.js';
import { resolveTopic } from '../graph/nodes.js';
import type { StreamTaskOptions } from './stream-task.js';
import {
  type BroadcastTarget,
  type KnownReport,
  TaskWatermark,
  WatermarkBroadcaster,
  WatermarkReader,
} from './watermarks.js';

/** Default for `partitionIdleMs`: longer than the usual skew between producers of one stream. */
export const DEFAULT_PARTITION_IDLE_MS = 10_000;

/** What the watermark needs from the runtime (see watermarks.ts). */
export interface WatermarkWiring {
  /** A caught-up source partition without a record for this long stops holding the watermark. */
  readonly partitionIdleMs: number;
  /** Whether this task's partition of `topic` is read to its end; default: always. */
  readonly inputCaughtUp?: (topic: string) => boolean;
  /** The repartition topics this task writes, with their partition counts. */
  readonly targets: readonly BroadcastTarget[];
  /** How many tasks this task's sub-topology has (its partition count). */
  readonly taskCount: number;
  readonly intervalMs: number;
  readonly heartbeatMs: number;
  /** Data records on repartition topics are stamped when the watermark moved this far (0: all). */
  readonly stampStepMs?: number;
  /** Upstream reports the previous incarnation of this task on this instance had heard. */
  readonly knownReports?: readonly KnownReport[];
}

/**
 * A task's event-time clock: under 'watermark' the task's watermark (inputs' progress, upstream
 * reports, idleness) and what it sends downstream; under 'stream-time' the largest timestamp seen.
 */
export class TaskEventTime {
  readonly mode: EventTimeMode;
  /** The largest event time seen (Kafka Streams' stream time). */
  private streamTime = Number.NEGATIVE_INFINITY;
  /** Input topics whose records may carry watermarks (repartition topics). */
  private readonly reportTopics = new Set<string>();
  private readonly watermark: TaskWatermark | undefined;
  private readonly broadcaster: WatermarkBroadcaster | undefined;
  private readonly reader: WatermarkReader;

  constructor(opts: StreamTaskOptions, mode: EventTimeMode) {
    this.mode = mode;
    // Reports are filtered in either mode: a topic written under 'watermark' may be read under 'stream-time'.
    for (const t of opts.subtopology.topics)
      if (t.kind === 'repartition') this.reportTopics.add(resolveTopic(t, opts.applicationId));
    if (mode === 'watermark') {
      // Table topics do not hold the watermark back, unless the task reads nothing else.
      const streams = opts.subtopology.sources.filter((s) => !s.table);
      const inputs = (streams.length > 0 ? streams : opts.subtopology.sources)
        .flatMap((s) => s.topics)
        .map((t) => ({ topic: resolveTopic(t, opts.applicationId), repartition: t.kind === 'repartition' }));
      const w = opts.watermarks;
      const watermark = new TaskWatermark({
        inputs,
        partitionIdleMs: w?.partitionIdleMs ?? DEFAULT_PARTITION_IDLE_MS,
        caughtUp: w?.inputCaughtUp ?? (() => true),
        now: opts.clock.now(),
      });
      for (const r of w?.knownReports ?? []) watermark.update(r.topic, r.task, r.of, r.watermark, r.idle);
      this.watermark = watermark;
      this.broadcaster = new WatermarkBroadcaster(
        w?.targets ?? [],
        { task: opts.partition, of: w?.taskCount ?? 1 },
        opts.collector,
        w?.intervalMs ?? 0,
        w?.heartbeatMs ?? Number.POSITIVE_INFINITY,
        w?.stampStepMs ?? 0,
      );
    }
    this.reader = new WatermarkReader(this.watermark);
  }

  /** The clock: the watermark, or under 'stream-time' the largest timestamp seen. */
  get time(): number {
    return this.watermark ? this.watermark.watermark : this.streamTime;
  }

  /**
   * Takes the watermark a record read from a repartition topic carries (a report, or a stamp that
   * is removed from its headers); true for a watermark record, which no processor may see.
   */
  takeWatermark(raw: RawRecord): boolean {
    return this.reportTopics.has(raw.topic) && this.reader.read(raw) === 'record';
  }

  /** A data record with event time `ts` came from `topic`. */
  observe(topic: string, ts: number, now: number): void {
    if (ts > this.streamTime) this.streamTime = ts;
    this.watermark?.observe(topic, ts, now);
  }

  /** Source partitions that went idle stop holding the watermark back; true if it moved. */
  refresh(now: number): boolean {
    return this.watermark?.refresh(now) ?? false;
  }

  /** Sends the watermark to the repartition topics when due. */
  maybeSend(now: number): void {
    const watermark = this.watermark;
    if (watermark) this.broadcaster?.maybeSend(watermark.watermark, watermark.idle, now);
  }

  /** The stamp for a record written to a repartition topic; undefined under 'stream-time'. */
  stamper(): (() => Buffer | undefined) | undefined {
    const { broadcaster, watermark } = this;
    return broadcaster && watermark
      ? () => broadcaster.stamp(watermark.watermark, watermark.idle)
      : undefined;
  }

  /** The watermark goes to every partition of the repartition topics again at the next check. */
  resend(): void {
    this.broadcaster?.resend();
  }

  /** What the upstream tasks reported, for a later incarnation of the task (watermark mode). */
  reports(): KnownReport[] {
    return this.watermark?.reports() ?? [];
  }

  /** Watermark records sent to repartition topics. */
  get recordsSent(): number {
    return this.broadcaster?.sent ?? 0;
  }
}
