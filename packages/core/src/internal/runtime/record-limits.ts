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

/** Kafka's size settings (`message.max.bytes`, `max.message.bytes`) are 32-bit ints. */
export const KAFKA_MAX_INT = 2_147_483_647;

/** Room the DLQ headers (source topic, offset, reason of up to 2,000 characters, ...) need at most. */
const DLQ_HEADROOM_BYTES = 64 * 1024;

function invalid(message: string): TributaryError {
  return new TributaryError('CONFIG_INVALID', `recordLimits.${message}`);
}

const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * The limits with defaults filled in (an `undefined` value means the default). CONFIG_INVALID for
 * an unknown key, a value that is not a safe positive integer (`maxTimestampAheadMs` may also be
 * `Infinity`: no limit), or a `maxRecordBytes` beyond what Kafka can be configured to accept.
 */
export function resolveRecordLimits(
  limits: RecordLimits | undefined,
  defaults: ResolvedRecordLimits = DEFAULT_RECORD_LIMITS,
): ResolvedRecordLimits {
  if (limits === undefined) return defaults;
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits))
    throw new TributaryError('CONFIG_INVALID', `recordLimits must be an object, got ${String(limits)}`);
  const known = Object.keys(DEFAULT_RECORD_LIMITS);
  for (const name of Object.keys(limits)) {
    if (!known.includes(name)) throw invalid(`${name} is not a record limit (known: ${known.join(', ')})`);
  }
  const ahead = limits.maxTimestampAheadMs ?? defaults.maxTimestampAheadMs;
  if (!isPositiveInt(ahead) && ahead !== Number.POSITIVE_INFINITY)
    throw invalid(`maxTimestampAheadMs must be a positive integer (ms) or Infinity, got ${ahead}`);
  const bytes = limits.maxRecordBytes ?? defaults.maxRecordBytes;
  if (!isPositiveInt(bytes) || bytes > KAFKA_MAX_INT)
    throw invalid(`maxRecordBytes must be a positive integer up to ${KAFKA_MAX_INT}, got ${bytes}`);
  return { maxTimestampAheadMs: ahead, maxRecordBytes: bytes };
}

/**
 * `max.message.bytes` for dead-letter topics: room for a source record of `maxRecordBytes` plus the
 * DLQ headers, within what the broker accepts as a setting. The runtime creates its DLQs with it; a
 * DLQ created elsewhere needs it too, or the dead letter of a record near the broker's limit is
 * refused and stops the app.
 */
export function dlqMaxMessageBytes(limits: ResolvedRecordLimits = DEFAULT_RECORD_LIMITS): number {
  return Math.min(KAFKA_MAX_INT, limits.maxRecordBytes + DLQ_HEADROOM_BYTES);
}

/**
 * Why `timestamp` is not a valid event time at wall-clock time `now`, or undefined when it is:
 * not a whole number of milliseconds (NaN, Infinity, 1.5: Kafka timestamps are int64 ms), negative
 * (before 1970), or further ahead than the limit.
 */
export function invalidTimestamp(
  timestamp: number,
  now: number,
  limits: ResolvedRecordLimits,
): string | undefined {
  if (!Number.isInteger(timestamp) || timestamp < 0)
    return `invalid event timestamp ${timestamp} (must be a whole number of ms >= 0)`;
  if (timestamp - now > limits.maxTimestampAheadMs)
    return `event timestamp ${timestamp} is more than ${limits.maxTimestampAheadMs} ms ahead of the wall clock (${now})`;
  return undefined;
}

/**
 * Why Kafka would reject `record` (timestamp or size), or undefined when it fits the limits.
 * `extraBytes`: what the record will still gain before it is sent (a watermark stamp).
 */
export function unsendable(
  record: OutgoingRecord,
  now: number,
  limits: ResolvedRecordLimits,
  extraBytes = 0,
): string | undefined {
  const ts = invalidTimestamp(record.timestamp, now, limits);
  if (ts !== undefined) return `${ts}, topic ${record.topic}`;
  const size = approxRecordSize(record) + extraBytes;
  if (size > limits.maxRecordBytes)
    return `record of ~${size} bytes for topic ${record.topic} exceeds maxRecordBytes ${limits.maxRecordBytes}`;
  return undefined;
}

/** Why a store write's changelog record (key, value, ~70 bytes of framing) would be too large. */
export function unloggable(key: Buffer, value: Buffer | null, maxRecordBytes: number): string | undefined {
  const size = 70 + key.length + (value?.length ?? 0);
  if (size > maxRecordBytes)
    return `changelog record of ~${size} bytes exceeds maxRecordBytes ${maxRecordBytes}`;
  return undefined;
}
