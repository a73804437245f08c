import type { RestoreProgress } from '../../state/store.js';

/** Kafka Streams' metrics window: rates, averages and maxima are over about the last 30 s. */
export const METRICS_WINDOW_MS = 30_000;

interface Sample {
  readonly at: number;
  readonly count: number;
  readonly sum: number;
}

/**
 * A total with a windowed rate, average and maximum, as Kafka Streams' Sensor (rate, avg, max over
 * its sample window). record() is two additions and a compare: cheap enough for per-run use.
 */
export class Meter {
  count = 0;
  /** Sum of the recorded values (latencies in ms), for the average. */
  sum = 0;
  private maxNow = 0;
  private maxPrevious = 0;
  private maxSince: number;
  private readonly samples: Sample[] = [];

  constructor(private readonly now: () => number = Date.now) {
    this.maxSince = now();
    this.samples.push({ at: this.maxSince, count: 0, sum: 0 });
  }

  record(count: number, value = 0): void {
    this.count += count;
    this.sum += value;
    const perItem = count > 0 ? value / count : value;
    if (perItem > this.maxNow) this.maxNow = perItem;
  }

  /** Items per second over the window. */
  rate(): number {
    const oldest = this.window();
    const seconds = Math.max(1, this.now() - oldest.at) / 1000;
    return (this.count - oldest.count) / seconds;
  }

  /** Average value per item over the window (0 when nothing was recorded). */
  avg(): number {
    const oldest = this.window();
    const n = this.count - oldest.count;
    return n > 0 ? (this.sum - oldest.sum) / n : 0;
  }

  /** Largest per-item value in this window and the one before it. */
  max(): number {
    this.window();
    return Math.max(this.maxNow, this.maxPrevious);
  }

  /** Keeps one sample per second of the window; returns the oldest one still in it. */
  private window(): Sample {
    const at = this.now();
    const last = this.samples[this.samples.length - 1] as Sample;
    if (at - last.at >= 1000) this.samples.push({ at, count: this.count, sum: this.sum });
    while (this.samples.length > 1 && at - (this.samples[1] as Sample).at >= METRICS_WINDOW_MS)
      this.samples.shift();
    if (at - this.maxSince >= METRICS_WINDOW_MS) {
      this.maxPrevious = this.maxNow;
      this.maxNow = 0;
      this.maxSince = at;
    }
    return this.samples[0] as Sample;
  }
}

/** Restore progress of one changelog partition, from the restore listener's events. */
export interface RestoreState {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly remaining: number;
  readonly done: boolean;
}

/** What the runtime measures for /metrics and the status page, beyond the error counters. */
export class RuntimeStats {
  readonly process: Meter;
  readonly commit: Meter;
  readonly poll: Meter;
  readonly restore: Meter;
  readonly rebalance: Meter;
  private readonly restores = new Map<string, RestoreState>();
  private readonly restoredSoFar = new Map<string, number>();

  constructor(now: () => number = Date.now) {
    this.process = new Meter(now);
    this.commit = new Meter(now);
    this.poll = new Meter(now);
    this.restore = new Meter(now);
    this.rebalance = new Meter(now);
  }

  onRestoreProgress(e: RestoreProgress): void {
    const key = `${e.taskId}/${e.store}`;
    const before = this.restoredSoFar.get(key) ?? 0;
    this.restore.record(Math.max(0, e.restored - before));
    this.restoredSoFar.set(key, e.phase === 'end' ? 0 : e.restored);
    const total = Number(e.toOffset - e.fromOffset);
    this.restores.set(key, {
      taskId: e.taskId,
      store: e.store,
      topic: e.topic,
      partition: e.partition,
      remaining: e.phase === 'end' ? 0 : Math.max(0, total - e.restored),
      done: e.phase === 'end',
    });
  }

  onRebalanced(pauseMs: number | undefined): void {
    this.rebalance.record(1, pauseMs ?? 0);
  }

  /** Restores in progress or finished, by task and store. */
  restoreStates(): RestoreState[] {
    return [...this.restores.values()];
  }
}
