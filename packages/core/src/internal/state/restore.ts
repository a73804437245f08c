import { errorMessage, isTributaryError, TributaryError } from '../../errors.js';
import type { ChangelogBatchRecord, RestoreProgress, TaskStateContext } from '../../state/store.js';
import { type BytesStore, keyId, type WriteOp } from './bytes-store.js';

export interface RestoreRequest {
  readonly store: string;
  readonly topic: string;
  readonly bytes: BytesStore;
  readonly fromOffset: bigint;
  readonly toOffset: bigint;
  /** Emit a progress event after this many records (default 10,000) or one second, whichever first. */
  readonly progressEveryRecords?: number | undefined;
}

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Replays `[fromOffset, toOffset)` of one changelog partition into a bytes store, bypassing cache and
 * changelog: one bytes-store batch per changelog batch. Replays are idempotent (last write wins), so
 * an interrupted restore can simply start again from the same offset.
 */
export async function restoreStore(ctx: TaskStateContext, req: RestoreRequest): Promise<number> {
  const started = performance.now();
  const every = req.progressEveryRecords ?? 10_000;
  let restored = 0;
  let lastEventAt = started;
  let lastEventCount = 0;
  const emit = (phase: RestoreProgress['phase']) => {
    ctx.onRestoreProgress?.({
      taskId: ctx.taskId,
      store: req.store,
      topic: req.topic,
      partition: ctx.partition,
      phase,
      fromOffset: req.fromOffset,
      toOffset: req.toOffset,
      restored,
      elapsedMs: performance.now() - started,
    });
  };
  const aborted = () =>
    new TributaryError('RESTORE_FAILED', `restore of ${req.store} aborted`, { cause: ctx.signal?.reason });

  emit('start');
  const onBatch = async (records: ChangelogBatchRecord[]) => {
    if (ctx.signal?.aborted) throw aborted();
    await req.bytes.write(toOps(records, ctx, req));
    restored += records.length;
    const now = performance.now();
    if (restored - lastEventCount >= every || now - lastEventAt >= PROGRESS_INTERVAL_MS) {
      lastEventAt = now;
      lastEventCount = restored;
      emit('progress');
    }
  };
  try {
    if (req.fromOffset < req.toOffset) {
      const read = ctx.changelogReader.read(
        req.topic,
        ctx.partition,
        req.fromOffset,
        req.toOffset,
        onBatch,
        ctx.signal,
      );
      await read;
    }
    if (ctx.signal?.aborted) throw aborted();
  } catch (err) {
    if (isTributaryError(err)) throw err;
    throw new TributaryError('RESTORE_FAILED', `restore of ${req.store} failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  emit('end');
  const elapsedMs = performance.now() - started;
  ctx.logger.info('store restored', {
    taskId: ctx.taskId,
    store: req.store,
    topic: req.topic,
    partition: ctx.partition,
    fromOffset: req.fromOffset,
    toOffset: req.toOffset,
    restored,
    elapsedMs: Math.round(elapsedMs),
    recordsPerSec: elapsedMs > 0 ? Math.round((restored * 1000) / elapsedMs) : restored,
  });
  return restored;
}

/** Changelog records to ops, last write per key only (a batch often updates a key many times). */
function toOps(
  records: readonly ChangelogBatchRecord[],
  ctx: TaskStateContext,
  req: RestoreRequest,
): WriteOp[] {
  const latest = new Map<string, WriteOp>();
  for (const r of records) {
    if (r.key === null) {
      ctx.logger.warn('changelog record without key skipped', { topic: req.topic, offset: r.offset });
      continue;
    }
    latest.set(keyId(r.key), { key: r.key, value: r.value });
  }
  return [...latest.values()];
}
