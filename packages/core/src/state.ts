// `@tributary/core/state`: the store layers for backend authors (@tributary/state builds its LevelDB
// backend on these). Applications use `inMemoryBackend` from `@tributary/core` or a backend package.
export {
  type BackendOptions,
  inMemoryBackend,
  type StateBackendWithBudget,
  storageBackend,
} from './internal/state/backends.js';
export {
  type BytesEntry,
  type BytesStore,
  inRange,
  keyId,
  type RangeOptions,
  type WriteOp,
} from './internal/state/bytes-store.js';
export { CacheBudget, type Evictable } from './internal/state/cache-budget.js';
export { CachingStore } from './internal/state/caching.js';
export {
  ChangeLoggingStore,
  type ChangelogTarget,
  type TimedWriteOp,
} from './internal/state/change-logging.js';
export {
  CHECKPOINT_FILE,
  CHECKPOINT_VERSION,
  type CheckpointRead,
  checkpointPath,
  deleteCheckpoint,
  readCheckpoint,
  type TaskIdentity,
  writeCheckpoint,
} from './internal/state/checkpoint.js';
export {
  prefixUpperBound,
  readOrderedInt64,
  windowKeyCodec,
  writeOrderedInt64,
} from './internal/state/key-codec.js';
export { MemoryBytesStore } from './internal/state/memory-store.js';
export { type LayerOptions, openTaskStores, type TaskStorage } from './internal/state/open-task.js';
export { PendingBatchStore } from './internal/state/pending-batch.js';
export { type OpenStore, StoreTask } from './internal/state/task-stores.js';
export {
  type StoreLifecycle,
  TypedKeyValueStore,
  TypedSessionStore,
  TypedWindowStore,
} from './internal/state/typed-stores.js';
export { type BufferedEntry, WriteBuffer } from './internal/state/write-buffer.js';
