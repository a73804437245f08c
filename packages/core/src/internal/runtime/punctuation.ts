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
      // As Kafka Streams: wall-clock punctuators count intervals from when they were scheduled;
      // stream-time ones from 0, so the first record (any stream time >= 0) fires them at once.
      next: type === 'wall-clock' ? now + intervalMs : 0,
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

  /**
   * Fires due punctuators of `type` at `time`, each at most once per call and with `time` itself;
   * returns the promises of async callbacks.
   */
  fire(type: PunctuationType, time: number, pending: Promise<void>[]): void {
    for (const e of this.entries) {
      if (e.cancelled || e.type !== type || time < e.next) continue;
      e.next = nextDue(e.next, e.intervalMs, time);
      const r = e.callback(time);
      if (r) pending.push(r);
    }
  }
}

/** The first time on the punctuator's grid (due + k * interval) after `time`: missed ones are skipped. */
function nextDue(due: number, intervalMs: number, time: number): number {
  return due + (Math.floor((time - due) / intervalMs) + 1) * intervalMs;
}
