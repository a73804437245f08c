import { TributaryError } from '../../errors.js';
import type {
  ChangelogRecord,
  StateStore,
  StoreDefinition,
  TaskStateContext,
  TaskStores,
} from '../../state/store.js';
import { deleteCheckpoint, writeCheckpoint } from './checkpoint.js';
import type {
  StoreLifecycle,
  TypedKeyValueStore,
  TypedSessionStore,
  TypedWindowStore,
} from './typed-stores.js';
import type { WriteBuffer } from './write-buffer.js';

/** One store of a task with its layers. */
export interface OpenStore {
  readonly definition: StoreDefinition;
  readonly buffer: WriteBuffer;
  readonly typed:
    | TypedKeyValueStore<unknown, unknown>
    | TypedWindowStore<unknown, unknown>
    | TypedSessionStore<unknown, unknown>;
}

/** The stores of one task: what the runtime's commit protocol drives (see DESIGN "How data flows"). */
export class StoreTask implements TaskStores {
  /** Local stores may hold writes newer than the checkpoint file claims. */
  private flushedSinceCheckpoint = false;

  constructor(
    private readonly ctx: TaskStateContext,
    private readonly stores: ReadonlyMap<string, OpenStore>,
    private readonly lifecycle: StoreLifecycle,
    /** Next changelog offset per logged store's topic, as restored and then as checkpointed. */
    private readonly offsets: Map<string, bigint>,
    /** Where the checkpoint lives; undefined for in-memory backends (nothing outlives the process). */
    private readonly taskDir: string | undefined,
  ) {}

  store<S extends StateStore>(name: string): S {
    this.ensureOpen();
    const store = this.stores.get(name);
    if (store === undefined) {
      throw new TributaryError('STORE_NOT_FOUND', `task ${this.ctx.taskId} has no store named ${name}`);
    }
    return store.typed as unknown as S;
  }

  async flush(): Promise<ChangelogRecord[]> {
    this.ensureOpen();
    const all = [...this.stores.values()];
    if (all.some((s) => s.buffer.cachedBytes() > 0)) this.flushedSinceCheckpoint = true;
    const records = await Promise.all(all.map((s) => s.buffer.flush()));
    return records.flat();
  }

  async checkpoint(offsets: ReadonlyMap<string, bigint>): Promise<void> {
    this.ensureOpen();
    for (const [topic, offset] of offsets) {
      const known = this.offsets.get(topic);
      if (known === undefined) continue; // not a changelog of this task
      if (offset < known) {
        throw new TributaryError(
          'ILLEGAL_STATE',
          `checkpoint for ${topic} would go back from ${known} to ${offset}`,
        );
      }
      this.offsets.set(topic, offset);
    }
    this.flushedSinceCheckpoint = false;
    // Exactly-once writes the file only at a clean close (as Kafka Streams does): while the task runs,
    // each flush holds state whose transaction may still abort, and a process killed after it must
    // not find a checkpoint that makes it trust the local store (it would count those records again).
    if (this.taskDir !== undefined && !this.ctx.exactlyOnce)
      await writeCheckpoint(this.taskDir, this.ctx, this.offsets);
  }

  cachedBytes(): number {
    let bytes = 0;
    for (const s of this.stores.values()) bytes += s.buffer.cachedBytes();
    return bytes;
  }

  async expire(streamTime: number): Promise<void> {
    this.ensureOpen();
    for (const s of this.stores.values()) {
      if (s.definition.kind !== 'key-value')
        await (s.typed as TypedWindowStore<unknown, unknown> | TypedSessionStore<unknown, unknown>).expire(
          streamTime,
        );
    }
  }

  /** Idempotent. Unflushed writes are discarded: the runtime flushes and checkpoints before a clean close. */
  async close(options: { clean: boolean }): Promise<void> {
    if (this.lifecycle.closed) return;
    this.lifecycle.closed = true;
    const unflushed = this.cachedBytes();
    if (options.clean && unflushed > 0) {
      this.ctx.logger.warn('closing stores with unflushed writes', {
        taskId: this.ctx.taskId,
        bytes: unflushed,
      });
    }
    for (const s of this.stores.values()) s.buffer.close();
    const closed = await Promise.allSettled(
      [...this.stores.values()].map((s) => s.buffer.store.inner.close()),
    );
    // A checkpoint must never claim more than was committed: under exactly-once only a clean close
    // after a checkpoint() writes one; under at-least-once a close after a flush that no checkpoint
    // followed drops it.
    const failed = closed.find((r) => r.status === 'rejected');
    if (this.taskDir !== undefined) {
      if (this.ctx.exactlyOnce && options.clean && !this.flushedSinceCheckpoint && !failed)
        await writeCheckpoint(this.taskDir, this.ctx, this.offsets);
      else if (this.ctx.exactlyOnce || this.flushedSinceCheckpoint) await deleteCheckpoint(this.taskDir);
    }
    if (failed !== undefined) {
      throw new TributaryError('ILLEGAL_STATE', `task ${this.ctx.taskId}: closing stores failed`, {
        cause: failed.reason,
      });
    }
  }

  private ensureOpen(): void {
    if (this.lifecycle.closed)
      throw new TributaryError('STORE_CLOSED', `stores of task ${this.ctx.taskId} are closed`);
  }
}
