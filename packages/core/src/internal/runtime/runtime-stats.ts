import type { RestoreProgress } from '../../state/store.js';

/** Kafka Streams' metrics window: rates, averages and maxima are over about the last 30 s. */
export const METRICS_WINDOW_MS = 30_000;

/** One second of a meter: what was recorded in it. */
interface Bucket {
  readonly start: number;
  count: number;
  /** Items recorded with a value (a latency), and the values' sum and largest per-item value. */
  timed: number;
  sum: number;
  max: number;
}

const BUCKET_MS = 1000;

/**
 * A total with a windowed rate, average and maximum, as Kafka Streams' sensors (rate, avg, max over
 * the last 30 s). Recording rolls the window forward as well as reading, so a window never holds what
 * happened longer ago than 30 s however rarely it is read. With nothing timed in the window, the
 * average and maximum are NaN, as in Kafka's metrics, so "no sample" never reads as "0 ms".
 */
export class Meter {
  count = 0;
  private readonly buckets: Bucket[] = [];
  private readonly since: number;

  constructor(private readonly now: () => number = Date.now) {
    this.since = now();
  }

  /** `count` items; with `value`, their total latency (ms), for the average and maximum. */
  record(count: number, value?: number): void {
    this.recordAt(this.now(), count, value);
  }

  /**
   * record(), where the caller read the clock already (store latencies: the end of the call);
   * `timed` says how many of the `count` items `value` is the latency of (sampled timing: one).
   */
  recordAt(at: number, count: number, value?: number, timed = count): void {
    this.count += count;
    const b = this.current(at);
    b.count += count;
    if (value === undefined) return;
    const items = Math.max(1, timed);
    b.timed += items;
    b.sum += value;
    if (value / items > b.max) b.max = value / items;
  }

  /** Items per second over the window (or since the meter started, when that is shorter). */
  rate(): number {
    const at = this.now();
    this.expire(at);
    let n = 0;
    for (const b of this.buckets) n += b.count;
    const span = Math.min(METRICS_WINDOW_MS, at - this.since);
    return n / (Math.max(BUCKET_MS, span) / 1000);
  }

  /** Average value per item over the window; NaN when nothing was timed in it. */
  avg(): number {
    this.expire(this.now());
    let n = 0;
    let sum = 0;
    for (const b of this.buckets) {
      n += b.timed;
      sum += b.sum;
    }
    return n > 0 ? sum / n : Number.NaN;
  }

  /** Largest per-item value over the window; NaN when nothing was timed in it. */
  max(): number {
    this.expire(this.now());
    let max = Number.NEGATIVE_INFINITY;
    let timed = false;
    for (const b of this.buckets) {
      if (b.timed === 0) continue;
      timed = true;
      if (b.max > max) max = b.max;
    }
    return timed ? max : Number.NaN;
  }

  private current(at: number): Bucket {
    const last = this.buckets[this.buckets.length - 1];
    if (last && at - last.start < BUCKET_MS) return last;
    this.expire(at);
    const b: Bucket = { start: at, count: 0, timed: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
    this.buckets.push(b);
    return b;
  }

  /** Drops the seconds that ended before the window. */
  private expire(at: number): void {
    let drop = 0;
    while (drop < this.buckets.length && at - (this.buckets[drop] as Bucket).start >= METRICS_WINDOW_MS)
      drop++;
    if (drop > 0) this.buckets.splice(0, drop);
  }
}

/** Restore progress of one changelog partition, from the restore listener's events. */
export interface RestoreState {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly remaining: number;
}

/** What the runtime measures for /metrics and the status page, beyond the error counters. */
export class RuntimeStats {
  readonly process: Meter;
  readonly commit: Meter;
  readonly poll: Meter;
  readonly restore: Meter;
  readonly rebalance: Meter;
  /** Restores under way, by `task/store`; a finished one leaves at once. */
  private readonly restores = new Map<string, RestoreState & { restored: number }>();

  constructor(now: () => number = Date.now) {
    this.process = new Meter(now);
    this.commit = new Meter(now);
    this.poll = new Meter(now);
    this.restore = new Meter(now);
    this.rebalance = new Meter(now);
  }

  onRestoreProgress(e: RestoreProgress): void {
    const key = `${e.taskId}/${e.store}`;
    // A restore that starts again (the last one was stopped) counts from zero.
    const before = e.phase === 'start' ? 0 : (this.restores.get(key)?.restored ?? 0);
    this.restore.record(Math.max(0, e.restored - before));
    if (e.phase === 'end') {
      this.restores.delete(key);
      return;
    }
    this.restores.set(key, {
      taskId: e.taskId,
      store: e.store,
      topic: e.topic,
      partition: e.partition,
      remaining: Math.max(0, Number(e.toOffset - e.fromOffset) - e.restored),
      restored: e.restored,
    });
  }

  /**
   * A rebalance completed; `pauseMs` is its pause when one was measured (0 is a pause of 0 ms), none
   * for the first assignment, which follows no announced rebalance.
   */
  onRebalanced(pauseMs: number | undefined): void {
    this.rebalance.record(1, pauseMs);
  }

  /**
   * Restores under way on tasks that are still restoring: one stopped without its end event (the task
   * was given away, or the restore failed) is dropped here rather than reported forever.
   */
  restoring(restoringTaskIds: readonly string[]): RestoreState[] {
    const live = new Set(restoringTaskIds);
    const out: RestoreState[] = [];
    for (const [key, r] of this.restores) {
      if (!live.has(r.taskId)) this.restores.delete(key);
      else
        out.push({
          taskId: r.taskId,
          store: r.store,
          topic: r.topic,
          partition: r.partition,
          remaining: r.remaining,
        });
    }
    return out;
  }
}
