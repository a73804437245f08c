import type { EventTimeMode } from '../../processor/processor.js';
import { resolveTopic } from '../graph/nodes.js';
import type { StreamTaskOptions } from './stream-task.js';
import { type BroadcastTarget, type KnownReport, TaskWatermark, WatermarkBroadcaster } from './watermarks.js';

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

/** A task's event-time parts: under 'stream-time' only the topics that may carry watermarks. */
export function taskEventTime(
  opts: StreamTaskOptions,
  mode: EventTimeMode,
): {
  reportTopics: ReadonlySet<string>;
  watermark: TaskWatermark | undefined;
  broadcaster: WatermarkBroadcaster | undefined;
} {
  // Reports are filtered in either mode: a topic written under 'watermark' may be read under 'stream-time'.
  const reportTopics = new Set<string>();
  for (const t of opts.subtopology.topics)
    if (t.kind === 'repartition') reportTopics.add(resolveTopic(t, opts.applicationId));
  if (mode !== 'watermark') return { reportTopics, watermark: undefined, broadcaster: undefined };
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
  const broadcaster = new WatermarkBroadcaster(
    w?.targets ?? [],
    { task: opts.partition, of: w?.taskCount ?? 1 },
    opts.collector,
    w?.intervalMs ?? 0,
    w?.heartbeatMs ?? Number.POSITIVE_INFINITY,
    w?.stampStepMs ?? 0,
  );
  return { reportTopics, watermark, broadcaster };
}
