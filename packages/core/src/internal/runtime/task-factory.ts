import type { Clock } from '../../clock.js';
import { TributaryError } from '../../errors.js';
import type { OutgoingRecord, ProducerPort, TopicPartition } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { EventTimeMode } from '../../processor/processor.js';
import type { SinkTask } from '../../sink/sink.js';
import type { ChangelogReader, RestoreProgress, StateBackend, StateStore } from '../../state/store.js';
import { resolveTopic } from '../graph/nodes.js';
import type { Subtopology, Topology } from '../graph/topology.js';
import { taskIdOf } from '../names.js';
import type { StoreStats } from '../state/metered-stores.js';
import type { ActiveTask } from './active-task.js';
import type { ErrorPolicy, RecordFailure } from './error-policy.js';
import type { ResolvedRecordLimits } from './record-limits.js';
import { StreamTask, type WatermarkWiring } from './stream-task.js';
import type { KnownReport } from './watermarks.js';

/** Which task to build: one sub-topology for one partition. */
export interface TaskSpec {
  readonly id: string;
  readonly subtopology: Subtopology;
  readonly partition: number;
}

/** What every task of an instance (or of the TopologyTestDriver) is built with. */
export interface TaskEnvironment {
  readonly applicationId: string;
  readonly state: StateBackend | undefined;
  readonly changelogReader: () => ChangelogReader;
  readonly exactlyOnce: boolean;
  /** Global tables, visible to every task by name. */
  readonly globalStore: (name: string) => StateStore | undefined;
  readonly errorPolicy: ErrorPolicy;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly onRestoreProgress?: (e: RestoreProgress) => void;
  /** Told of every record the error policy skipped or dead-lettered. */
  readonly onRecordFailed?: (failure: RecordFailure) => void;
  /** Counts and times the processors' store calls (for /metrics); absent, stores are not wrapped. */
  readonly storeStats?: StoreStats;
  /** The event-time clock of every task; default 'watermark'. */
  readonly eventTime?: EventTimeMode;
  readonly watermarks?: WatermarkEnvironment;
  /** Timestamp and size limits of records; default DEFAULT_RECORD_LIMITS. */
  readonly recordLimits?: ResolvedRecordLimits;
}

/** Instance-wide watermark settings and the partition counts the watermark reports need. */
export interface WatermarkEnvironment {
  readonly partitionIdleMs: number;
  readonly intervalMs: number;
  readonly heartbeatMs: number;
  /** See WatermarkWiring.stampStepMs. */
  readonly stampStepMs?: number;
  /** Partition count of a topic the topology writes or reads (resolved name). */
  readonly partitionCount: (topic: string) => number;
  /** How many tasks a sub-topology has. */
  readonly taskCount: (subtopologyId: number) => number;
}

/** What differs per task. */
export interface TaskWiring {
  /** Committed input offsets (`topic:partition`), so sinks can drop files of uncommitted ranges. */
  readonly committedOffsets: ReadonlyMap<string, bigint>;
  /** Where the task's output records are buffered until they are produced. */
  readonly outputs: OutgoingRecord[];
  /** Exactly-once: the task's own transactional producer (connected). */
  readonly producer: ProducerPort | undefined;
  /** Whether every input partition is read to its end; left out by the driver (always caught up). */
  readonly isCaughtUp?: () => boolean;
  /** Stops a restore in progress (the task was given to another instance meanwhile). */
  readonly signal?: AbortSignal;
  /** Whether the task's partition of `topic` is read to its end; left out by the driver (always). */
  readonly inputCaughtUp?: (topic: string) => boolean;
  /** Upstream watermark reports an earlier incarnation of the task on this instance had heard. */
  readonly knownReports?: readonly KnownReport[];
}

/**
 * Builds a task: opens and restores its stores, opens its sinks, creates its processors and runs their
 * init. The one way tasks come to be, for the Kafka runtime and the TopologyTestDriver alike.
 */
export async function createTask(
  spec: TaskSpec,
  env: TaskEnvironment,
  wiring: TaskWiring,
): Promise<ActiveTask> {
  const { id, subtopology: st, partition } = spec;
  const { applicationId } = env;
  const logger = env.logger.child({ task: id });
  if (st.stores.length > 0 && !env.state) {
    throw new TributaryError(
      'STATE_BACKEND_MISSING',
      `task ${id} has stores (${st.stores.map((s) => s.name).join(', ')}): configure a state backend, e.g. levelDbBackend({ stateDir }) from @tributary/state`,
    );
  }
  const stores =
    st.stores.length > 0 && env.state
      ? await env.state.openTask({
          applicationId,
          taskId: id,
          partition,
          stores: st.stores,
          changelogReader: env.changelogReader(),
          exactlyOnce: env.exactlyOnce,
          ...(env.recordLimits ? { maxRecordBytes: env.recordLimits.maxRecordBytes } : {}),
          ...(env.onRestoreProgress ? { onRestoreProgress: env.onRestoreProgress } : {}),
          logger,
          ...(wiring.signal ? { signal: wiring.signal } : {}),
        })
      : undefined;
  // The task object exists only after its processors are initialised; callbacks reach it through this.
  const created: { task?: ActiveTask } = {};
  const requestCommit = () => {
    if (created.task) created.task.commitRequested = true;
  };
  const sinks = new Map<string, SinkTask<unknown, unknown>>();
  for (const node of st.nodes) {
    if (node.kind !== 'external-sink') continue;
    sinks.set(
      node.name,
      await node.sink.openTask({
        applicationId,
        taskId: id,
        committedOffsets: wiring.committedOffsets,
        requestCommit,
        logger,
        clock: env.clock,
      }),
    );
  }
  const { outputs, isCaughtUp } = wiring;
  // One metered handle per store, so a processor that keys a map by store sees the same object.
  const metered = new Map<string, StateStore>();
  const taskStore = (name: string): StateStore => {
    if (!stores) throw new TributaryError('STORE_NOT_FOUND', `no store "${name}" in task ${id}`);
    const stats = env.storeStats;
    const definition = st.stores.find((d) => d.name === name);
    if (!stats || !definition) return stores.store(name);
    let handle = metered.get(name);
    if (!handle) {
      const meters = stats.open(id, definition, env.state?.name ?? 'custom');
      handle = stats.wrap(stores.store(name), definition, meters);
      metered.set(name, handle);
    }
    return handle;
  };
  const stream = new StreamTask({
    taskId: id,
    applicationId,
    partition,
    subtopology: st,
    store: (name): StateStore => env.globalStore(name) ?? taskStore(name),
    sinkTasks: sinks,
    collector: { send: (r) => outputs.push(r) },
    errorPolicy: env.errorPolicy,
    logger,
    clock: env.clock,
    requestCommit,
    ...(isCaughtUp ? { isCaughtUp: () => created.task !== undefined && isCaughtUp() } : {}),
    ...(env.eventTime ? { eventTime: env.eventTime } : {}),
    ...(env.recordLimits ? { recordLimits: env.recordLimits } : {}),
    ...(env.onRecordFailed ? { onRecordFailed: env.onRecordFailed } : {}),
    ...(env.watermarks ? { watermarks: watermarkWiring(st, env, env.watermarks, wiring) } : {}),
  });
  await stream.init();
  created.task = {
    id,
    subtopology: st,
    partition,
    stream,
    stores,
    sinks,
    outputs,
    producer: wiring.producer,
    transaction: undefined,
    pendingSend: undefined,
    commitRequested: false,
  };
  return created.task;
}

/**
 * Closes a task: processors, sinks (aborted first unless `clean`), the open transaction (aborted
 * unless `clean`), its producer and stores. Every step runs; the errors are returned, not thrown.
 */
export async function closeTask(task: ActiveTask, clean: boolean): Promise<unknown[]> {
  const errors: unknown[] = [];
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };
  await attempt(() => task.stream.close());
  for (const s of task.sinks.values())
    await attempt(() => (clean ? s.close() : s.abort().then(() => s.close())));
  // A send in flight ends before its transaction is aborted or its producer disconnected.
  await task.pendingSend?.catch(() => {});
  const { transaction, producer, stores } = task;
  if (transaction && !clean) await attempt(() => transaction.abort());
  if (producer) await attempt(() => producer.disconnect());
  if (stores) await attempt(() => stores.close({ clean }));
  return errors;
}

function watermarkWiring(
  st: Subtopology,
  env: TaskEnvironment,
  w: WatermarkEnvironment,
  wiring: TaskWiring,
): WatermarkWiring {
  const targets = new Set<string>();
  for (const node of st.nodes) {
    if (node.kind === 'sink' && typeof node.topic !== 'function' && node.topic.kind === 'repartition')
      targets.add(resolveTopic(node.topic, env.applicationId));
  }
  return {
    partitionIdleMs: w.partitionIdleMs,
    ...(wiring.inputCaughtUp ? { inputCaughtUp: wiring.inputCaughtUp } : {}),
    targets: [...targets].map((topic) => ({ topic, partitions: w.partitionCount(topic) })),
    taskCount: w.taskCount(st.id),
    intervalMs: w.intervalMs,
    heartbeatMs: w.heartbeatMs,
    ...(w.stampStepMs !== undefined ? { stampStepMs: w.stampStepMs } : {}),
    ...(wiring.knownReports ? { knownReports: wiring.knownReports } : {}),
  };
}

/** The tasks an assignment asks for: for each assigned partition, the sub-topology reading its topic. */
export function tasksForAssignment(
  topology: Topology,
  applicationId: string,
  assignment: readonly TopicPartition[],
): Map<string, TaskSpec> {
  const wanted = new Map<string, TaskSpec>();
  for (const tp of assignment) {
    const st = topology.subtopologies.find((s) =>
      s.topics.some((t) => resolveTopic(t, applicationId) === tp.topic),
    );
    if (st) {
      const id = taskIdOf(st.id, tp.partition);
      wanted.set(id, { id, subtopology: st, partition: tp.partition });
    }
  }
  return wanted;
}
