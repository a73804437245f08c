export type { Change } from './change.js';
export { type Clock, systemClock } from './clock.js';
export { type ErrorCode, errorMessage, isTributaryError, TributaryError } from './errors.js';
export type { TopologyDescription } from './internal/graph/describe.js';
export type { Subtopology } from './internal/graph/topology.js';
export { Topology } from './internal/graph/topology.js';
export { type Buffering, DEFAULT_BUFFERING } from './internal/runtime/buffering.js';
export { DLQ_HEADERS } from './internal/runtime/dead-letter.js';
export type { ErrorPolicy, ErrorStage } from './internal/runtime/error-policy.js';
export {
  DEFAULT_RECORD_LIMITS,
  dlqMaxMessageBytes,
  type RecordLimits,
} from './internal/runtime/record-limits.js';
export type { StreamsState } from './internal/runtime/state-machine.js';
export { WATERMARK_HEADER } from './internal/runtime/watermarks.js';
export {
  type BackendOptions,
  inMemoryBackend,
  type StateBackendWithBudget,
} from './internal/state/backends.js';
export { CacheBudget } from './internal/state/cache-budget.js';
export { KAFKAJS_CONSUMER_FETCH, type KafkajsOptions, kafkajsPort } from './kafka/kafkajs-adapter.js';
export { type PlatformaticOptions, platformaticPort } from './kafka/platformatic/adapter.js';
export type {
  AdminPort,
  ConsumerHandlers,
  ConsumerPort,
  KafkaPort,
  OutgoingRecord,
  ProducerPort,
  RawRecord,
  TopicPartition,
  TopicPartitionOffset,
  TopicTailer,
  TransactionPort,
} from './kafka/ports.js';
export {
  describeSecurity,
  type KafkaSecurity,
  kafkajsSecurityOptions,
  type SaslMechanism,
  type SaslSecurity,
  securityProtocolOf,
  type TlsSecurity,
} from './kafka/security.js';
export { BranchedKStream } from './kstream/branched-stream.js';
export {
  CogroupedKStream,
  SessionWindowedCogroupedKStream,
  TimeWindowedCogroupedKStream,
} from './kstream/cogrouped-stream.js';
export type { ForeignKeyJoinOptions } from './kstream/foreign-key-joins.js';
export { GlobalKTable } from './kstream/global-ktable.js';
export { KGroupedStream } from './kstream/grouped-stream.js';
export { KGroupedTable } from './kstream/grouped-table.js';
export { windowedJsonSerde } from './kstream/internal-serdes.js';
export { JoinWindows } from './kstream/join-windows.js';
export { type JoinOptions, KStream } from './kstream/kstream.js';
export { KTable } from './kstream/ktable.js';
export type {
  ConsumedOptions,
  GroupedOptions,
  NamedOptions,
  ProducedOptions,
  RepartitionOptions,
  SessionStoreOptions,
  StoreOptions,
  TableOptions,
  WindowedStoreOptions,
} from './kstream/options.js';
export { SessionWindowedKStream } from './kstream/session-windowed-stream.js';
export { SessionWindows } from './kstream/session-windows.js';
export { SlidingWindowedKStream } from './kstream/sliding-windowed-stream.js';
export { SlidingWindows } from './kstream/sliding-windows.js';
export { Stores } from './kstream/stores.js';
export type { StreamJoinOptions } from './kstream/stream-joins.js';
export { StreamsBuilder } from './kstream/streams-builder.js';
export {
  BufferConfig,
  type BufferFullStrategy,
  type StrictBufferConfig,
  Suppressed,
} from './kstream/suppressed.js';
export type { TableJoinOptions } from './kstream/table-joins.js';
export { TimeWindowedKStream, WindowedKTable } from './kstream/windowed-stream.js';
export { TimeWindows } from './kstream/windows.js';
export { jsonLogger, type LogFields, type Logger, type LogLevel, silentLogger } from './logger.js';
export type {
  Cancellable,
  EventTimeMode,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
} from './processor/processor.js';
export type {
  InstanceInfo,
  KeyQueryMetadata,
  QueryableStoreType,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyStoreOf,
  ReadOnlyWindowStore,
} from './query/read-only-stores.js';
export {
  type Headers,
  type KeyValue,
  type RecordMetadata,
  record,
  type StreamRecord,
  type TimestampExtractor,
} from './record.js';
export { runUntilSignal } from './run-until-signal.js';
export { decodeUtf8, type JsonSerdeOptions } from './serde/json-serde.js';
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
  type SessionEntry,
  type SessionStore,
  type StateBackend,
  type StateStore,
  type StoreDefinition,
  type TaskStateContext,
  type TaskStores,
  type TimestampedWindowStore,
  type ValueAndTimestamp,
  type WindowedEntry,
  type WindowStore,
} from './state/store.js';
export { Tributary } from './tributary.js';
export type { KafkaClientName, ServerConfig, TributaryConfig } from './tributary-config.js';
export type { TimeWindow, Windowed } from './windowed.js';
