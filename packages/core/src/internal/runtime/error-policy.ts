import { type ErrorCode, errorMessage, isTributaryError, TributaryError } from '../../errors.js';
import type { RawRecord } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import { type EmittedRecord, sendEmittedToDeadLetterTopic, sendToDeadLetterTopic } from './dead-letter.js';
import type { RecordCollector } from './record-collector.js';

export type ErrorStage = 'deserialization' | 'processing' | 'production';

/**
 * One policy for every stage. `fail` stops the app with a typed error; `continue` skips the record
 * (counted and logged with topic/partition/offset); `dead-letter` sends the original bytes to a DLQ
 * topic with headers saying where the record came from and why it failed.
 */
export type ErrorPolicy =
  | { readonly mode: 'fail' }
  | { readonly mode: 'continue' }
  | { readonly mode: 'dead-letter'; readonly topic?: string | ((sourceTopic: string) => string) };

/** Marks errors raised while serializing or handing records to sinks. */
export class ProductionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProductionError';
  }
}

export class DeserializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeserializationError';
  }
}

export interface ErrorCounters {
  deserializationErrors: number;
  processingErrors: number;
  productionErrors: number;
  deadLettered: number;
  /** Records the `continue` policy skipped after an error. */
  skipped: number;
  /** Records an operator skipped by its own rules, never an error: a null key where a key is needed. */
  skippedNullKeys: number;
  /** Same, for a null value (non-windowed aggregations, the stream side of stream-table joins). */
  skippedNullValues: number;
}

export function newErrorCounters(): ErrorCounters {
  return {
    deserializationErrors: 0,
    processingErrors: 0,
    productionErrors: 0,
    deadLettered: 0,
    skipped: 0,
    skippedNullKeys: 0,
    skippedNullValues: 0,
  };
}

/** A record the policy skipped or dead-lettered (under `fail` the app stops instead). */
export interface RecordFailure {
  readonly stage: ErrorStage;
  readonly action: 'skipped' | 'dead-lettered';
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The error's message. */
  readonly error: string;
  /** Where the record went, for `dead-lettered`. */
  readonly deadLetterTopic?: string;
}

const stageCode: Record<ErrorStage, ErrorCode> = {
  deserialization: 'DESERIALIZATION_FAILED',
  processing: 'PROCESSING_FAILED',
  production: 'PRODUCTION_FAILED',
};

export function stageOf(err: unknown): ErrorStage {
  if (err instanceof DeserializationError) return 'deserialization';
  if (err instanceof ProductionError) return 'production';
  return 'processing';
}

/** What applying the policy needs from the task. */
export interface PolicyContext {
  readonly policy: ErrorPolicy;
  readonly counters: ErrorCounters;
  readonly collector: RecordCollector;
  readonly logger: Logger;
  readonly taskId: string;
  /** Told of every input record the policy skipped or dead-lettered (the status page's recent reasons). */
  readonly onRecordFailed?: ((failure: RecordFailure) => void) | undefined;
}

/** Applies the policy to one failed record; throws under `fail`. */
export function handleRecordError(err: unknown, raw: RawRecord, ctx: PolicyContext): void {
  // A configured shutdown (suppress' shutDownWhenFull) is not a bad record: no policy skips it.
  if (isTributaryError(err, 'SUPPRESS_BUFFER_FULL')) throw err;
  const stage = stageOf(err);
  const cause =
    err instanceof DeserializationError || err instanceof ProductionError ? (err.cause ?? err) : err;
  const message = errorMessage(cause);
  if (stage === 'deserialization') ctx.counters.deserializationErrors += 1;
  else if (stage === 'processing') ctx.counters.processingErrors += 1;
  else ctx.counters.productionErrors += 1;
  const where = {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset.toString(),
    stage,
    task: ctx.taskId,
  };
  if (ctx.policy.mode === 'fail') {
    throw new TributaryError(
      stageCode[stage],
      `${stage} failed for ${raw.topic}-${raw.partition}@${raw.offset}: ${message}`,
      { cause },
    );
  }
  if (ctx.policy.mode === 'continue') {
    ctx.counters.skipped += 1;
    ctx.logger.warn('record skipped', { ...where, error: message });
    ctx.onRecordFailed?.({ ...failure(raw, stage, ctx.taskId, message), action: 'skipped' });
    return;
  }
  const topic = sendToDeadLetterTopic(ctx.policy, raw, stage, message, ctx);
  ctx.counters.deadLettered += 1;
  ctx.logger.debug('record sent to dead-letter topic', { ...where, dlq: topic, error: message });
  ctx.onRecordFailed?.({
    ...failure(raw, stage, ctx.taskId, message),
    action: 'dead-lettered',
    deadLetterTopic: topic,
  });
}

function failure(raw: RawRecord, stage: ErrorStage, taskId: string, error: string) {
  return { stage, taskId, topic: raw.topic, partition: raw.partition, offset: raw.offset, error };
}

/**
 * Applies the policy to a record a sink refused (serde, record limits) while no input record was
 * being processed: one a punctuator or a processor's close() emitted. Like an input record's
 * production error it is counted and then skipped, dead-lettered (without bytes, see
 * `sendEmittedToDeadLetterTopic`), or, under `fail`, thrown as PRODUCTION_FAILED; the punctuator
 * goes on with its next record either way, except under `fail`.
 */
export function handleEmittedError(err: ProductionError, emitted: EmittedRecord, ctx: PolicyContext): void {
  const message = errorMessage(err);
  ctx.counters.productionErrors += 1;
  const where = { stage: 'production', task: ctx.taskId, sinkTopic: emitted.sinkTopic, punctuated: true };
  if (ctx.policy.mode === 'fail') {
    throw new TributaryError(
      'PRODUCTION_FAILED',
      `production failed for a record task ${ctx.taskId} emitted outside of processing (punctuator or close) for ${emitted.sinkTopic}: ${message}`,
      { cause: err.cause ?? err },
    );
  }
  if (ctx.policy.mode === 'continue') {
    ctx.counters.skipped += 1;
    ctx.logger.warn('record skipped', { ...where, error: message });
    return;
  }
  const topic = sendEmittedToDeadLetterTopic(ctx.policy, emitted, message, ctx);
  ctx.counters.deadLettered += 1;
  ctx.logger.debug('record sent to dead-letter topic', { ...where, dlq: topic, error: message });
}
