import { requireWindowMs } from './window-durations.js';

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
    return new SessionWindows(
      requireWindowMs('inactivity gap', inactivityGapMs, { positive: true }),
      requireWindowMs('grace', graceMs, { positive: false }),
    );
  }

  /** How long the store keeps a session after its end: gap + grace, Kafka Streams' default. */
  retentionMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }
}
