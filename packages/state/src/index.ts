export {
  type BackendOptions,
  inMemoryBackend,
  type LevelDbBackendOptions,
  levelDbBackend,
  type StateBackendWithBudget,
} from './backends.js';
export type { BytesEntry, BytesStore, RangeOptions, WriteOp } from './bytes-store.js';
export { CacheBudget, type Evictable } from './cache-budget.js';
export { CachingStore } from './caching.js';
export { ChangeLoggingStore, type ChangelogTarget, type TimedWriteOp } from './change-logging.js';
export {
  CHECKPOINT_FILE,
  CHECKPOINT_VERSION,
  type CheckpointRead,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export { prefixUpperBound, readOrderedInt64, windowKeyCodec, writeOrderedInt64 } from './key-codec.js';
export { LevelDbBytesStore, type LevelDbTuning, type OpenedLevelDb } from './leveldb-store.js';
export { MemoryBytesStore } from './memory-store.js';
export { PendingBatchStore } from './pending-batch.js';
export { StoreTask } from './task-stores.js';
export { TypedKeyValueStore, TypedWindowStore } from './typed-stores.js';
export { WriteBuffer } from './write-buffer.js';
