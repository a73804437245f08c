import { TributaryError } from '../errors.js';

/** What a full suppression buffer does: emit its oldest entries early, or fail the task. */
export type BufferFullStrategy = 'emit-early' | 'shut-down';

function limit(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `BufferConfig.${what} must be a non-negative integer, got ${n}`,
    );
  }
  return n;
}

/**
 * Bounds of a suppression buffer, as Kafka Streams' `Suppressed.BufferConfig`: at most `maxRecords`
 * keys and `maxBytes` (Kafka Streams' size estimate: key, prior/old/new values, record context).
 * The type parameter records the full strategy, so `untilWindowCloses` only takes strict configs.
 */
export class BufferConfig<S extends BufferFullStrategy = BufferFullStrategy> {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: S,
    /** Back the buffer with a changelog topic (default true), so it survives restarts and moves. */
    readonly logging: boolean,
  ) {}

  /** No limit; a buffer that cannot fill up never needs to emit early (a strict config). */
  static unbounded(): BufferConfig<'shut-down'> {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shut-down', true);
  }

  /** At most `n` keys; emits early when full unless `shutDownWhenFull()` follows. */
  static maxRecords(n: number): BufferConfig<'emit-early'> {
    return new BufferConfig(limit(n, 'maxRecords'), Number.POSITIVE_INFINITY, 'emit-early', true);
  }

  /** At most `n` bytes (estimated); emits early when full unless `shutDownWhenFull()` follows. */
  static maxBytes(n: number): BufferConfig<'emit-early'> {
    return new BufferConfig(Number.POSITIVE_INFINITY, limit(n, 'maxBytes'), 'emit-early', true);
  }

  withMaxRecords(n: number): BufferConfig<S> {
    return new BufferConfig(limit(n, 'maxRecords'), this.maxBytes, this.whenFull, this.logging);
  }

  withMaxBytes(n: number): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, limit(n, 'maxBytes'), this.whenFull, this.logging);
  }

  /** When full, forward the entries with the oldest buffer time until it fits (Kafka Streams' default). */
  emitEarlyWhenFull(): BufferConfig<'emit-early'> {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early', this.logging);
  }

  /** When full, fail the task with `SUPPRESS_BUFFER_FULL`, whatever the error policy. */
  shutDownWhenFull(): BufferConfig<'shut-down'> {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down', this.logging);
  }

  withLoggingDisabled(): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.whenFull, false);
  }

  withLoggingEnabled(): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.whenFull, true);
  }
}

/** A buffer config that never emits early: what final results need. */
export type StrictBufferConfig = BufferConfig<'shut-down'>;

/**
 * How `KTable.suppress` holds back updates, as Kafka Streams' `Suppressed`:
 * - `untilWindowCloses(buffer)`: one final result per window of a windowed aggregation, when stream
 *   time reaches window end + grace (session windows: end + gap + grace).
 * - `untilTimeLimit(ms, buffer)`: the latest value per key, once stream time reaches the time the key
 *   was first buffered + `ms`.
 * Tributary needs `withName(name)`: the buffer is a store whose changelog must keep its name.
 */
export class Suppressed {
  private constructor(
    readonly kind: 'window-close' | 'time-limit',
    readonly timeLimitMs: number,
    readonly buffer: BufferConfig,
    readonly name: string | undefined,
  ) {}

  static untilWindowCloses(buffer: StrictBufferConfig): Suppressed {
    return new Suppressed('window-close', 0, buffer, undefined);
  }

  static untilTimeLimit(timeToWaitMs: number, buffer: BufferConfig): Suppressed {
    if (!Number.isFinite(timeToWaitMs) || timeToWaitMs < 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `untilTimeLimit needs a non-negative time, got ${timeToWaitMs}`,
      );
    }
    return new Suppressed('time-limit', timeToWaitMs, buffer, undefined);
  }

  /** Names the processor and its buffer store `<name>-store` (changelog `<app>-<name>-store-changelog`). */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.buffer, name);
  }
}
