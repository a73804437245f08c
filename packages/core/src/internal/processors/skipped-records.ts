import type { ProcessorContext } from '../../processor/processor.js';

/** Why a built-in operator skipped a record it cannot process (Kafka Streams' dropped-records sensor). */
export type SkipReason = 'nullKey' | 'nullValue';

/**
 * What the task's processor contexts offer built-in operators beyond the public ProcessorContext: a
 * place to count records skipped by the operator's own rules (a null key in an aggregation, ...),
 * which are data the operator ignores by definition, not failures for the error policy.
 */
export interface SkipCountingContext {
  recordSkipped(reason: SkipReason): void;
}

/** Counts a skipped record on the task (a context without counters, e.g. a hand-built one, ignores it). */
export function countSkipped(ctx: ProcessorContext<unknown, unknown>, reason: SkipReason): void {
  (ctx as Partial<SkipCountingContext>).recordSkipped?.(reason);
}

export function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}
