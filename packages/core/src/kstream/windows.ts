import { TributaryError } from '../errors.js';
import type { WindowAssigner } from '../internal/processors/window-aggregate.js';
import { requireWindowMs } from './window-durations.js';

/** Floor modulo, so timestamps before 1970 land in the right window. */
function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/**
 * Tumbling (advance = size) or hopping (advance < size) windows on event time, aligned to the epoch.
 * `grace` is how long after a window's end records for it are still accepted; the window's final
 * result is emitted when stream time reaches end + grace.
 */
export class TimeWindows implements WindowAssigner {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    requireWindowMs('window size', sizeMs, { positive: true });
    return new TimeWindows(sizeMs, sizeMs, requireWindowMs('grace', graceMs, { positive: false }));
  }

  /** Hopping windows: a new window every `advanceMs`, each `sizeMs` long. */
  advanceBy(advanceMs: number): TimeWindows {
    if (!Number.isSafeInteger(advanceMs) || advanceMs <= 0 || advanceMs > this.sizeMs) {
      throw new TributaryError('CONFIG_INVALID', `advance must be in (0, size], got ${advanceMs}`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** Start of every window containing `timestamp`, oldest first. */
  windowStartsFor(timestamp: number): number[] {
    const lastStart = timestamp - floorMod(timestamp, this.advanceMs);
    if (this.advanceMs === this.sizeMs) return [lastStart];
    const starts: number[] = [];
    // As in Kafka Streams, hopping windows never start before the epoch.
    for (let s = lastStart; s > timestamp - this.sizeMs && s >= 0; s -= this.advanceMs) starts.unshift(s);
    return starts;
  }

  /**
   * How long a window store keeps windows: at least size + grace so in-grace records find them, and
   * at least a day as in Kafka Streams, so expiry (driven by the task's stream time, which another
   * source of the same task may push ahead) never removes a window before it is emitted.
   */
  retentionMs(): number {
    return Math.max(this.sizeMs + this.graceMs, 24 * 60 * 60 * 1000);
  }
}
