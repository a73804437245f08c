/**
 * The TaskManager's fixed batching and watermark timing. The buffering and output bounds are settings: see buffering.ts
 * (TributaryConfig.buffering).
 */

/** Batches smaller than this (a live, low-rate stream) are processed at once. */
export const SMALL_BATCH = 200;
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
