import { requireWindowMs } from './window-durations.js';

/**
 * Sliding windows on event time, as Kafka Streams' SlidingWindows (KIP-450): a window [start, end]
 * (both inclusive) of length `timeDifference` exists only where records are, so two records of a key
 * share a window exactly when their timestamps differ by at most the time difference. Each record
 * makes the window that ends at it and, when later records are near, the one that starts just after
 * it. A window accepts records until stream time - grace passes its end.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    // Zero is allowed, as in Kafka Streams: windows then hold the records of one timestamp.
    return new SlidingWindows(
      requireWindowMs('time difference', timeDifferenceMs, { positive: false }),
      requireWindowMs('grace', graceMs, { positive: false }),
    );
  }

  /**
   * How long the window store keeps a window after its start. An on-time record (at or after stream
   * time - grace - diff) reads windows back to its own timestamp - 2 * diff, so 3 * diff + grace keeps
   * every window it may need; at least a day, as for time windows, because expiry runs on the task's
   * stream time, which other sources of the task may push ahead.
   */
  retentionMs(): number {
    return Math.max(3 * this.timeDifferenceMs + this.graceMs, 24 * 60 * 60 * 1000);
  }
}
