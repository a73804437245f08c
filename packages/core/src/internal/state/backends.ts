import { type Clock, systemClock } from '../../clock.js';
import type { StateBackend, TaskStateContext } from '../../state/store.js';
import { CacheBudget } from './cache-budget.js';
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

export interface StateBackendWithBudget extends StateBackend {
  /** The budget every task of this backend charges; the runtime polls `overBudget()`. */
  readonly cacheBudget: CacheBudget;
}

/**
 * A backend from where it keeps a task's bytes: the layers above (typed, caching, change-logging),
 * checkpoints and restore are the same for every backend.
 */
export function storageBackend(
  name: string,
  options: BackendOptions,
  storage: (ctx: TaskStateContext) => TaskStorage,
): StateBackendWithBudget {
  const cacheBudget = CacheBudget.from(options.cacheBudget);
  const layers = {
    budget: cacheBudget,
    clock: options.clock ?? systemClock,
    restoreProgressEveryRecords: options.restoreProgressEveryRecords,
  };
  return {
    name,
    cacheBudget,
    cacheOverBudget: () => cacheBudget.overBudget(),
    openTask: (ctx) => openTaskStores(ctx, storage(ctx), layers),
  };
}

const memoryStorage: TaskStorage = {
  taskDir: undefined,
  open: async (d) => ({ bytes: new MemoryBytesStore(d.name), fresh: true }),
  wipe: async () => {},
};

/** In-memory stores: nothing is local, so every open restores the whole changelog. */
export function inMemoryBackend(options: BackendOptions = {}): StateBackendWithBudget {
  return storageBackend('in-memory', options, () => memoryStorage);
}
