import { TributaryError } from '../../errors.js';
import { approxRecordSize, type OutgoingRecord } from '../../kafka/ports.js';

/**
 * What a record must satisfy before the runtime accepts it as input or hands it to Kafka. A record
 * outside these limits is a record error (it follows the error policy, e.g. the dead-letter topic)
 * instead of a send that the broker rejects for the whole batch, which would stop the app.
 */
export interface RecordLimits {
  /**
   * Event timestamps more than this far ahead of the wall clock are invalid, at extraction and at
   * every sink. Default 3,600,000 (1 h): Kafka 4.x brokers reject records whose timestamp is more
   * than `message.timestamp.after.max.ms` (default 1 h) in the future. `Infinity` turns it off.
   */
  readonly maxTimestampAheadMs?: number;
  /**
   * Largest record handed to a topic sink, repartition topics and changelogs included (key, value,
   * headers and ~70 bytes of framing). Default 1,048,576: the broker's default `message.max.bytes`
   * is 1,048,588 bytes per record batch.
   */
  readonly maxRecordBytes?: number;
}

export type ResolvedRecordLimits = Required<RecordLimits>;

export const DEFAULT_RECORD_LIMITS: ResolvedRecordLimits = {
  maxTimestampAheadMs: 3_600_000,
  maxRecordBytes: 1_048_576,
};

/** The limits with defaults filled in; CONFIG_INVALID for a value that is not a positive number. */
export function resolveRecordLimits(
  limits: RecordLimits | undefined,
  defaults: ResolvedRecordLimits = DEFAULT_RECORD_LIMITS,
): ResolvedRecordLimits {
  const out = { ...defaults, ...limits };
  for (const [name, v] of Object.entries(out)) {
    if (typeof v !== 'number' || Number.isNaN(v) || v <= 0)
      throw new TributaryError('CONFIG_INVALID', `recordLimits.${name} must be a positive number, got ${v}`);
  }
  return out;
}

/**
 * Why `timestamp` is not a valid event time at wall-clock time `now`, or undefined when it is:
 * not a finite number, negative (before 1970), or further ahead than the limit.
 */
export function invalidTimestamp(
  timestamp: number,
  now: number,
  limits: ResolvedRecordLimits,
): string | undefined {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0)
    return `invalid event timestamp ${timestamp} (must be a finite number >= 0)`;
  if (timestamp - now > limits.maxTimestampAheadMs)
    return `event timestamp ${timestamp} is more than ${limits.maxTimestampAheadMs} ms ahead of the wall clock (${now})`;
  return undefined;
}

/** Why Kafka would reject `record` (timestamp or size), or undefined when it fits the limits. */
export function unsendable(
  record: OutgoingRecord,
  now: number,
  limits: ResolvedRecordLimits,
): string | undefined {
  const ts = invalidTimestamp(record.timestamp, now, limits);
  if (ts !== undefined) return `${ts}, topic ${record.topic}`;
  const size = approxRecordSize(record);
  if (size > limits.maxRecordBytes)
    return `record of ~${size} bytes for topic ${record.topic} exceeds maxRecordBytes ${limits.maxRecordBytes}`;
  return undefined;
}
