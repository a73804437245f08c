export { type Clock, systemClock } from './clock.js';
export { type ErrorCode, errorMessage, isTributaryError, TributaryError } from './errors.js';
export { jsonLogger, type LogFields, type Logger, type LogLevel, silentLogger } from './logger.js';
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
} from './processor/processor.js';
export { type Headers, type KeyValue, type RecordMetadata, record, type StreamRecord } from './record.js';
export type { Serde } from './serde/serde.js';
export { Serdes } from './serde/serdes.js';
export { type OffsetRange, offsetKey, type Sink, type SinkTask, type SinkTaskContext } from './sink/sink.js';
export {
  type ChangelogBatchRecord,
  type ChangelogReader,
  type ChangelogRecord,
  changelogTopicName,
  type KeyValueStore,
  type RestoreProgress,
  type StateBackend,
  type StateStore,
  type StoreDefinition,
  type TaskStateContext,
  type TaskStores,
  type WindowedEntry,
  type WindowStore,
} from './state/store.js';
