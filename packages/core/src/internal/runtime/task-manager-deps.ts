import type { Clock } from '../../clock.js';
import type { ConsumerPort, KafkaPort, ProducerPort } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { EventTimeMode } from '../../processor/processor.js';
import type { RestoreProgress, StateBackend } from '../../state/store.js';
import type { Topology } from '../graph/topology.js';
import type { StoreStats } from '../state/metered-stores.js';
import type { ResolvedBuffering } from './buffering.js';
import type { ErrorPolicy, RecordFailure } from './error-policy.js';
import type { GlobalState } from './global-state.js';
import type { RuntimeStats } from './runtime-stats.js';
import type { TaskEnvironment } from './task-factory.js';
import {
  WATERMARK_HEARTBEAT_MS,
  WATERMARK_INTERVAL_MS,
  WATERMARK_STAMP_STEP_MS,
} from './task-manager-tuning.js';

export interface TaskManagerDeps {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly port: KafkaPort;
  readonly consumer: ConsumerPort;
  /** At-least-once: one producer for all tasks. Exactly-once: undefined (one per task). */
  readonly sharedProducer: ProducerPort | undefined;
  readonly exactlyOnce: boolean;
  readonly state: StateBackend | undefined;
  readonly globals: GlobalState;
  readonly errorPolicy: ErrorPolicy;
  readonly recordLimits: NonNullable<TaskEnvironment['recordLimits']>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly commitIntervalMs: number;
  readonly eventTime: EventTimeMode;
  readonly partitionIdleMs: number;
  /** Input buffer bounds, output flush points and the run length (TributaryConfig.buffering). */
  readonly buffering: ResolvedBuffering;
  /** Partition counts of the internal topics (repartition topics among them), by resolved name. */
  readonly partitionCounts: ReadonlyMap<string, number>;
  readonly tasksPerSubtopology: ReadonlyMap<number, number>;
  readonly onRestoreProgress: (e: RestoreProgress) => void;
  readonly onRecordFailed: (failure: RecordFailure) => void;
  readonly committedOffsets: (topics: readonly string[]) => Promise<Map<string, bigint>>;
  readonly endOffsets: (topic: string) => Promise<Map<number, bigint>>;
  /** Deletes consumed repartition records (as Kafka Streams' repartition purge). */
  readonly purge: (topic: string, offsets: ReadonlyMap<number, bigint>) => Promise<void>;
  /** The group session timeout: how long a fenced task waits for a rebalance before its rebuild. */
  readonly sessionTimeoutMs: number;
  /** Latencies and rates for /metrics (see RuntimeStats). */
  readonly stats: RuntimeStats;
  /** Per-store put/get metrics; only when something reads them (the HTTP server is on). */
  readonly storeStats?: StoreStats | undefined;
}

/** What every task of the instance is created with. */
export function taskEnvironmentOf(d: TaskManagerDeps): TaskEnvironment {
  return {
    applicationId: d.applicationId,
    state: d.state,
    changelogReader: () => d.port.changelogReader(),
    exactlyOnce: d.exactlyOnce,
    globalStore: (name) => d.globals.store(name),
    errorPolicy: d.errorPolicy,
    recordLimits: d.recordLimits,
    logger: d.logger,
    clock: d.clock,
    onRestoreProgress: d.onRestoreProgress,
    onRecordFailed: d.onRecordFailed,
    ...(d.storeStats ? { storeStats: d.storeStats } : {}),
    eventTime: d.eventTime,
    watermarks: {
      partitionIdleMs: d.partitionIdleMs,
      intervalMs: WATERMARK_INTERVAL_MS,
      heartbeatMs: WATERMARK_HEARTBEAT_MS,
      stampStepMs: WATERMARK_STAMP_STEP_MS,
      partitionCount: (topic) => d.partitionCounts.get(topic) ?? 1,
      taskCount: (id) => d.tasksPerSubtopology.get(id) ?? 1,
    },
  };
}
