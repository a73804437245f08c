import { mkdir } from 'node:fs/promises';
import type { Clock } from '../../clock.js';
import { TributaryError } from '../../errors.js';
import { changelogTopicName, type StoreDefinition, type TaskStateContext } from '../../state/store.js';
import type { BytesStore } from './bytes-store.js';
import type { CacheBudget } from './cache-budget.js';
import { CachingStore } from './caching.js';
import { ChangeLoggingStore } from './change-logging.js';
import { type CheckpointRead, deleteCheckpoint, readCheckpoint } from './checkpoint.js';
import { PendingBatchStore } from './pending-batch.js';
import { restoreStore } from './restore.js';
import { type OpenStore, StoreTask } from './task-stores.js';
import {
  type StoreLifecycle,
  TypedKeyValueStore,
  TypedSessionStore,
  TypedWindowStore,
} from './typed-stores.js';

/** How a backend keeps a task's bytes: on disk (LevelDB) or in memory. */
export interface TaskStorage {
  /** Directory of the task (holds the checkpoint); undefined when nothing is persisted. */
  readonly taskDir: string | undefined;
  /** `fresh`: the store starts empty (new or recreated), so its checkpoint offset means nothing. */
  open(definition: StoreDefinition): Promise<{ bytes: BytesStore; fresh: boolean }>;
  wipe(definition: StoreDefinition): Promise<void>;
}

export interface LayerOptions {
  readonly budget: CacheBudget;
  readonly clock: Clock;
  readonly restoreProgressEveryRecords?: number | undefined;
}

const SAFE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/**
 * Opens a task's stores. Local state is trusted only with a valid checkpoint entry inside
 * [beginningOffset, endOffset] of its changelog; anything else is wiped and restored from the start.
 */
export async function openTaskStores(
  ctx: TaskStateContext,
  storage: TaskStorage,
  options: LayerOptions,
): Promise<StoreTask> {
  validate(ctx);
  const { taskDir } = storage;
  let checkpoint: CheckpointRead = { valid: false, reason: 'in-memory backend' };
  if (taskDir !== undefined) {
    await mkdir(taskDir, { recursive: true });
    checkpoint = await readCheckpoint(taskDir, ctx);
    if (!checkpoint.valid)
      ctx.logger.info('no valid checkpoint', { taskId: ctx.taskId, reason: checkpoint.reason });
    // Consumed: from here on local stores move ahead of it; checkpoint() writes a new one after commit.
    await deleteCheckpoint(taskDir);
  }
  const lifecycle: StoreLifecycle = { closed: false };
  const offsets = new Map<string, bigint>();
  const opened = new Map<string, OpenStore>();
  try {
    for (const definition of ctx.stores) {
      const bytes = await openAndRestore(ctx, storage, definition, checkpoint, offsets, options);
      opened.set(definition.name, await layer(ctx, definition, bytes, lifecycle, options));
    }
  } catch (err) {
    for (const s of opened.values()) s.buffer.close();
    await Promise.allSettled([...opened.values()].map((s) => s.buffer.store.inner.close()));
    throw err;
  }
  return new StoreTask(ctx, opened, lifecycle, offsets, taskDir);
}

async function openAndRestore(
  ctx: TaskStateContext,
  storage: TaskStorage,
  definition: StoreDefinition,
  checkpoint: CheckpointRead,
  offsets: Map<string, bigint>,
  options: LayerOptions,
): Promise<BytesStore> {
  const log = { taskId: ctx.taskId, store: definition.name };
  if (!definition.logging) {
    // Nothing to restore from: keep local data only when the task's checkpoint vouches for it.
    if (!checkpoint.valid) await storage.wipe(definition);
    return (await storage.open(definition)).bytes;
  }
  const topic = changelogTopicName(ctx.applicationId, definition.name);
  const [begin, end] = await Promise.all([
    ctx.changelogReader.beginningOffset(topic, ctx.partition),
    ctx.changelogReader.endOffset(topic, ctx.partition),
  ]);
  const claimed = checkpoint.valid ? checkpoint.offsets.get(topic) : undefined;
  const trusted = claimed !== undefined && claimed >= begin && claimed <= end;
  if (!trusted && storage.taskDir !== undefined) {
    ctx.logger.info('wiping local store', {
      ...log,
      checkpoint: claimed,
      beginningOffset: begin,
      endOffset: end,
    });
    await storage.wipe(definition);
  }
  const { bytes, fresh } = await storage.open(definition);
  if (fresh && trusted)
    ctx.logger.warn('local store was missing or corrupt; restoring from the beginning', log);
  const fromOffset = trusted && !fresh ? claimed : begin;
  try {
    await restoreStore(ctx, {
      store: definition.name,
      topic,
      bytes,
      fromOffset,
      toOffset: end,
      progressEveryRecords: options.restoreProgressEveryRecords,
    });
  } catch (err) {
    await bytes.close().catch(() => {});
    throw err;
  }
  offsets.set(topic, end);
  return bytes;
}

async function layer(
  ctx: TaskStateContext,
  definition: StoreDefinition,
  bytes: BytesStore,
  lifecycle: StoreLifecycle,
  options: LayerOptions,
): Promise<OpenStore> {
  const topic = changelogTopicName(ctx.applicationId, definition.name);
  const changelog = definition.logging
    ? { topic, partition: ctx.partition, maxRecordBytes: ctx.maxRecordBytes }
    : undefined;
  const logged = new ChangeLoggingStore(bytes, changelog);
  const buffer = definition.caching
    ? new CachingStore(logged, options.budget, options.clock)
    : new PendingBatchStore(logged, options.budget, options.clock);
  if (definition.kind === 'key-value') {
    return {
      definition,
      buffer,
      typed: new TypedKeyValueStore(definition, buffer, lifecycle, topic),
    };
  }
  const typed =
    definition.kind === 'session'
      ? new TypedSessionStore(definition, buffer, lifecycle, topic)
      : new TypedWindowStore(definition, buffer, lifecycle, topic);
  await typed.init();
  return { definition, buffer, typed };
}

function validate(ctx: TaskStateContext): void {
  if (!SAFE_NAME.test(ctx.applicationId) || !SAFE_NAME.test(ctx.taskId)) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `application id and task id must be file-name safe: ${ctx.taskId}`,
    );
  }
  const names = new Set<string>();
  for (const d of ctx.stores) {
    if (!SAFE_NAME.test(d.name))
      throw new TributaryError('CONFIG_INVALID', `store name not file-name safe: ${d.name}`);
    if (names.has(d.name)) throw new TributaryError('CONFIG_INVALID', `store ${d.name} declared twice`);
    if (d.kind !== 'key-value' && d.retentionMs !== undefined && !(d.retentionMs >= 0)) {
      throw new TributaryError('CONFIG_INVALID', `store ${d.name}: retentionMs must be >= 0`);
    }
    names.add(d.name);
  }
}
