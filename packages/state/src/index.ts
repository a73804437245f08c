// The store layers and the in-memory backend live in @tributary/core (see README); this package adds
// LevelDB and keeps exporting every name it always has.
export {
  type BackendOptions,
  type BytesEntry,
  type BytesStore,
  CacheBudget,
  CachingStore,
  CHECKPOINT_FILE,
  CHECKPOINT_VERSION,
  ChangeLoggingStore,
  type ChangelogTarget,
  type CheckpointRead,
  type Evictable,
  inMemoryBackend,
  MemoryBytesStore,
  PendingBatchStore,
  prefixUpperBound,
  type RangeOptions,
  readCheckpoint,
  readOrderedInt64,
  type StateBackendWithBudget,
  StoreTask,
  type TimedWriteOp,
  TypedKeyValueStore,
  TypedWindowStore,
  WriteBuffer,
  type WriteOp,
  windowKeyCodec,
  writeCheckpoint,
  writeOrderedInt64,
} from '@tributary/core/state';
export { type LevelDbBackendOptions, levelDbBackend } from './backends.js';
export { LevelDbBytesStore, type LevelDbTuning, type OpenedLevelDb } from './leveldb-store.js';
