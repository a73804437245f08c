import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreDefinition } from '@tributary/core';
import {
  type BackendOptions,
  type StateBackendWithBudget,
  storageBackend,
  type TaskStorage,
} from '@tributary/core/state';
import { LevelDbBytesStore, type LevelDbTuning } from './leveldb-store.js';

export interface LevelDbBackendOptions extends BackendOptions {
  /** Stores live in `<stateDir>/<applicationId>/<taskId>/<store>`. */
  readonly stateDir: string;
  /** LevelDB memory per store (block cache, write buffer); defaults are 1 MiB each. */
  readonly leveldb?: LevelDbTuning;
}

/** LevelDB stores on local disk, restored from the checkpointed changelog offset. */
export function levelDbBackend(options: LevelDbBackendOptions): StateBackendWithBudget {
  const backend = storageBackend('leveldb', options, (ctx): TaskStorage => {
    const taskDir = join(options.stateDir, ctx.applicationId, ctx.taskId);
    const dir = (d: StoreDefinition) => join(taskDir, d.name);
    return {
      taskDir,
      async open(d) {
        const existed = await exists(dir(d));
        const { store, recreated } = await LevelDbBytesStore.open(d.name, dir(d), options.leveldb);
        return { bytes: store, fresh: !existed || recreated };
      },
      wipe: (d) => LevelDbBytesStore.destroy(dir(d)),
    };
  });
  return Object.assign(backend, { stateDir: options.stateDir });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
