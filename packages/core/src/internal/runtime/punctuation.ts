import type { Cancellable, PunctuationType } from '../../processor/processor.js';

interface Scheduled {
  readonly intervalMs: number;
  readonly type: PunctuationType;
  readonly callback: (timestamp: number) => void | Promise<void>;
  next: number;
  cancelled: boolean;
}

/** The punctuators of one task, fired on stream time (after records) and wall-clock time (by ticks). */
export class PunctuationQueue {
  private readonly entries: Scheduled[] = [];

  schedule(
    intervalMs: number,
    type: PunctuationType,
    callback: (timestamp: number) => void | Promise<void>,
    now: number,
  ): Cancellable {
    if (!(intervalMs > 0)) throw new RangeError(`punctuation interval must be > 0, got ${intervalMs}`);
    const entry: Scheduled = {
      intervalMs,
      type,
      callback,
      next: type === 'wall-clock' ? now + intervalMs : Number.NaN,
      cancelled: false,
    };
    this.entries.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  get hasStreamTime(): boolean {
    return this.entries.some((e) => e.type === 'stream-time' && !e.cancelled);
  }

  /** Fires due punctuators of `type` at `time`; returns the promises of async callbacks. */
  fire(type: PunctuationType, time: number, pending: Promise<void>[]): void {
    for (const e of this.entries) {
      if (e.cancelled || e.type !== type) continue;
      // As Kafka Streams: a stream-time punctuator fires first at the first stream time it sees; then
      // one interval after the previous due time, or one interval after now when fires were missed.
      if (Number.isNaN(e.next)) e.next = time;
      if (time < e.next) continue;
      e.next += e.intervalMs;
      if (time >= e.next) e.next = time + e.intervalMs;
      const r = e.callback(time);
      if (r) pending.push(r);
    }
  }
}
