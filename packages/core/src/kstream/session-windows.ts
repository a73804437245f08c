import { TributaryError } from '../errors.js';

/**
 * Session windows on event time, as Kafka Streams' SessionWindows: records of a key closer than
 * `inactivityGap` to each other belong to one session, which spans its first to its last record
 * (both inclusive). A session is final, and records that would only reach it are late, once stream
 * time passes its end + gap + grace.
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    if (!Number.isSafeInteger(inactivityGapMs) || inactivityGapMs <= 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `inactivity gap must be a positive integer of ms, got ${inactivityGapMs}`,
      );
    }
    if (!Number.isSafeInteger(graceMs) || graceMs < 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `grace must be a non-negative integer of ms, got ${graceMs}`,
      );
    }
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  /** How long the store keeps a session after its end: gap + grace, Kafka Streams' default. */
  retentionMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }
}
