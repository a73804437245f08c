import { TributaryError } from '../../errors.js';

/**
 * How much fetched input an instance buffers before it processes, and how much output it collects
 * before it sends. Bytes count the memory buffered records keep alive: a record's key and value are
 * views into its fetch response, so each record counts its share of that response (see
 * PartitionQueues#bufferedBytes). See docs/performance.md#memory-bounds.
 */
export interface Buffering {
  /**
   * Above this many buffered input records the instance processes down to half of it. Default
   * 20,000. Smaller buffers interleave partitions by timestamp over a shorter span.
   */
  readonly maxBufferedRecords?: number;
  /**
   * The same bound in bytes: above it the instance processes down to half. Default 16 MiB (measured
   * with bench/src/hostile-memory.ts, docs/security.md).
   */
  readonly maxBufferedBytes?: number;
  /**
   * Above this many buffered records the instance stops waiting for a lagging partition's fetch and
   * processes what it has, out of timestamp order across partitions if need be. At least
   * `maxBufferedRecords`; default 4 × `maxBufferedRecords` (80,000).
   */
  readonly hardCapRecords?: number;
  /** The same in bytes; at least `maxBufferedBytes`, default 4 × `maxBufferedBytes` (64 MiB). */
  readonly hardCapBytes?: number;
  /**
   * A fetched batch of 200 records or more waits at most this long for other partitions' records to
   * interleave with before it is processed. Default 200 ms.
   */
  readonly maxBufferDelayMs?: number;
  /**
   * At-least-once, during a long drain: collected output is sent after this long or at
   * `outputFlushRecords` records, whichever comes first (and after every drain). Default 200 ms.
   */
  readonly outputFlushMs?: number;
  /** See `outputFlushMs`. Default 10,000 records. */
  readonly outputFlushRecords?: number;
  /**
   * Most records of one partition processed in one run. Under exactly-once each task sends its
   * output after every run, so this also bounds what a task collects before a send. Default 1,000.
   */
  readonly maxRunRecords?: number;
}

export type ResolvedBuffering = Required<Buffering>;

export const DEFAULT_BUFFERING: ResolvedBuffering = {
  maxBufferedRecords: 20_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  hardCapRecords: 80_000,
  hardCapBytes: 64 * 1024 * 1024,
  maxBufferDelayMs: 200,
  outputFlushMs: 200,
  outputFlushRecords: 10_000,
  maxRunRecords: 1000,
};

/** The hard caps' defaults, relative to the soft bounds (as the defaults above). */
const HARD_CAP_FACTOR = 4;

function invalid(message: string): TributaryError {
  return new TributaryError('CONFIG_INVALID', `buffering.${message}`);
}

/**
 * The settings with defaults filled in (an `undefined` value means the default). CONFIG_INVALID for
 * an unknown key, a value that is not a safe integer >= 1, or a hard cap below its soft bound.
 */
export function resolveBuffering(buffering: Buffering | undefined): ResolvedBuffering {
  if (buffering === undefined) return DEFAULT_BUFFERING;
  if (typeof buffering !== 'object' || buffering === null || Array.isArray(buffering))
    throw new TributaryError('CONFIG_INVALID', `buffering must be an object, got ${String(buffering)}`);
  const known = Object.keys(DEFAULT_BUFFERING);
  for (const name of Object.keys(buffering)) {
    if (!known.includes(name))
      throw invalid(`${name} is not a buffering setting (known: ${known.join(', ')})`);
  }
  // Only `undefined` means the default: a null is as invalid as any other non-number. The soft
  // bounds come before the hard caps in DEFAULT_BUFFERING, so an unset cap follows a set bound.
  const given = buffering as Record<keyof Buffering, unknown>;
  const out = { ...DEFAULT_BUFFERING };
  for (const name of known as (keyof Buffering)[]) {
    let v = given[name];
    if (v === undefined && name === 'hardCapRecords') v = HARD_CAP_FACTOR * out.maxBufferedRecords;
    else if (v === undefined && name === 'hardCapBytes') v = HARD_CAP_FACTOR * out.maxBufferedBytes;
    else if (v === undefined) v = DEFAULT_BUFFERING[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw invalid(`${name} must be an integer >= 1, got ${String(v)}`);
    out[name] = v;
  }
  if (out.hardCapRecords < out.maxBufferedRecords)
    throw invalid(
      `hardCapRecords (${out.hardCapRecords}) must be at least maxBufferedRecords (${out.maxBufferedRecords})`,
    );
  if (out.hardCapBytes < out.maxBufferedBytes)
    throw invalid(
      `hardCapBytes (${out.hardCapBytes}) must be at least maxBufferedBytes (${out.maxBufferedBytes})`,
    );
  return out;
}
