import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, type StateBackend, type StoreDefinition, systemClock } from '@tributary/core';
import { CacheBudget } from './cache-budget.js';
import { LevelDbBytesStore, type LevelDbTuning } from './leveldb-store.js';
import { MemoryBytesStore } from './memory-store.js';
import { openTaskStores, type TaskStorage } from './open-task.js';

export interface BackendOptions {
  /** Shared write-cache budget: pass one CacheBudget to share it with other backends, or a byte count. */
  readonly cacheBudget?: CacheBudget | number;
  /** Timestamps of changelog records (wall clock at write time). */
  readonly clock?: Clock;
  /** Restore progress events every this many records (and at least every second). */
  readonly restoreProgressEveryRecords?: number;
}

export interface LevelDbBackendOptions extends BackendOptions {
  /** Stores live in `<stateDir>/<applicationId>/<taskId>/<store>`. */
  readonly stateDir: string;
  /** LevelDB memory per store (block cache, write buffer); defaults are 1 MiB each. */
  readonly leveldb?: LevelDbTuning;
}

export interface StateBackendWithBudget extends StateBackend {
  /** The budget every task of this backend charges; the runtime polls `overBudget()`. */
  readonly cacheBudget: CacheBudget;
}

/** LevelDB stores on local disk, restored from the checkpointed changelog offset. */
export function levelDbBackend(options: LevelDbBackendOptions): StateBackendWithBudget {
  const cacheBudget = CacheBudget.from(options.cacheBudget);
  const layers = {
    budget: cacheBudget,
    clock: options.clock ?? systemClock,
    restoreProgressEveryRecords: options.restoreProgressEveryRecords,
  };
  return {
    name: 'leveldb',
    cacheBudget,
    cacheOverBudget: () => cacheBudget.overBudget(),
    openTask: (ctx) => {
      const taskDir = join(options.stateDir, ctx.applicationId, ctx.taskId);
      const dir = (d: StoreDefinition) => join(taskDir, d.name);
      const storage: TaskStorage = {
        taskDir,
        async open(d) {
          const existed = await exists(dir(d));
          const { store, recreated } = await LevelDbBytesStore.open(d.name, dir(d), options.leveldb);
          return { bytes: store, fresh: !existed || recreated };
        },
        wipe: (d) => LevelDbBytesStore.destroy(dir(d)),
      };
      return openTaskStores(ctx, storage, layers);
    },
  };
}

/** In-memory stores: nothing is local, so every open restores the whole changelog. */
export function inMemoryBackend(options: BackendOptions = {}): StateBackendWithBudget {
  const cacheBudget = CacheBudget.from(options.cacheBudget);
  const layers = {
    budget: cacheBudget,
    clock: options.clock ?? systemClock,
    restoreProgressEveryRecords: options.restoreProgressEveryRecords,
  };
  const storage: TaskStorage = {
    taskDir: undefined,
    open: async (d) => ({ bytes: new MemoryBytesStore(d.name), fresh: true }),
    wipe: async () => {},
  };
  return {
    name: 'in-memory',
    cacheBudget,
    cacheOverBudget: () => cacheBudget.overBudget(),
    openTask: (ctx) => openTaskStores(ctx, storage, layers),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
