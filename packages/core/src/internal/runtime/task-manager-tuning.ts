/** The TaskManager's buffering, flushing and watermark timing. */

/** Batches smaller than this (a live, low-rate stream) are processed at once. */
export const SMALL_BATCH = 200;
/** Above this many buffered records the instance stops waiting for lagging partitions' fetches. */
export const HARD_CAP = 80_000;
export const MAX_BUFFERED = 20_000;
/**
 * The same bounds in key and value bytes (buffered records keep their fetch responses alive): above
 * MAX_BUFFERED_BYTES the instance processes down to half of it, and above HARD_CAP_BYTES it stops
 * waiting for lagging partitions. Measured with bench/src/hostile-memory.ts (docs/security.md).
 */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const HARD_CAP_BYTES = 64 * 1024 * 1024;
export const MAX_BUFFER_DELAY_MS = 200;
export const OUTPUT_FLUSH_MS = 200;
export const OUTPUT_FLUSH_RECORDS = 10_000;
export const HEARTBEAT_EVERY_MS = 1000;
/** Watermark changes reach repartition topics at most this often (about one output flush). */
export const WATERMARK_INTERVAL_MS = 200;
/**
 * No periodic resend of unchanged watermarks: every record on a repartition topic makes the instance
 * briefly not caught up, which holds idle close back. Tasks resend once after each assignment instead
 * (see assign), which is when a downstream task can have moved.
 */
export const WATERMARK_HEARTBEAT_MS = Number.POSITIVE_INFINITY;
/** A repartitioned record carries its task's watermark when that moved this far (event time). */
export const WATERMARK_STAMP_STEP_MS = 1000;
