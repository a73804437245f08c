import { TributaryError } from '../errors.js';
import type { StreamJoinWindowSpec } from '../internal/processors/stream-join-tracker.js';

function ms(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new TributaryError('CONFIG_INVALID', `${what} must be an integer of ms, got ${value}`);
  }
  return value;
}

/**
 * The time bounds of a stream-stream join (Kafka Streams' JoinWindows): a left record at time t
 * joins right records of the same key with t - before <= ts <= t + after. `grace` is how long after
 * that window records still wait for a partner: left/outer joins emit an unmatched record once stream
 * time passes its window end plus grace. `ofTimeDifference*` set before = after.
 */
export class JoinWindows implements StreamJoinWindowSpec {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    if (beforeMs + afterMs < 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `join window interval (before + after) must not be negative, got ${beforeMs} + ${afterMs}`,
      );
    }
    if (graceMs < 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `grace must be a non-negative integer of ms, got ${graceMs}`,
      );
    }
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    const d = ms(timeDifferenceMs, 'time difference');
    return new JoinWindows(d, d, ms(graceMs, 'grace'));
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** How far before a left record a right record may be (may be negative while before + after >= 0). */
  before(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(ms(timeDifferenceMs, 'before'), this.afterMs, this.graceMs);
  }

  /** How far after a left record a right record may be. */
  after(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, ms(timeDifferenceMs, 'after'), this.graceMs);
  }

  /** before + after, as Kafka Streams' size(). */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }
}
