import type { Clock } from '../../clock.js';
import { errorMessage, TributaryError } from '../../errors.js';
import type {
  ConsumerPort,
  KafkaPort,
  ProducerPort,
  TopicPartition,
  TopicPartitionOffset,
} from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import { offsetKey, type SinkTask } from '../../sink/sink.js';
import type { RestoreProgress, StateBackend, StateStore } from '../../state/store.js';
import { resolveTopic } from '../graph/nodes.js';
import type { Subtopology, Topology } from '../graph/topology.js';
import { type ActiveTask, taskIdOf } from './active-task.js';
import { commitTasks } from './commit.js';
import type { ErrorPolicy } from './error-policy.js';
import type { GlobalState } from './global-state.js';
import type { RawRecord } from './raw-record.js';
import { StreamTask } from './stream-task.js';

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
  readonly logger: Logger;
  readonly clock: Clock;
  readonly commitIntervalMs: number;
  readonly cacheMaxBytes: number;
  readonly onRestoreProgress: (e: RestoreProgress) => void;
  readonly committedOffsets: (topics: readonly string[]) => Promise<Map<string, bigint>>;
}

/** Owns the active tasks: creates and restores them on assignment, feeds them, commits and closes them. */
export class TaskManager {
  readonly tasks = new Map<string, ActiveTask>();
  private readonly byTopicPartition = new Map<string, ActiveTask>();
  private lastCommit: number;
  processedTotal = 0;

  constructor(private readonly d: TaskManagerDeps) {
    this.lastCommit = d.clock.now();
  }

  private subtopologyFor(topic: string): Subtopology | undefined {
    return this.d.topology.subtopologies.find((st) =>
      st.topics.some((t) => resolveTopic(t, this.d.applicationId) === topic),
    );
  }

  /** Applies a new (eager) assignment: commit and close tasks that left, create and restore new ones. */
  async assign(assignment: readonly TopicPartition[]): Promise<void> {
    const wanted = new Map<string, { st: Subtopology; partition: number }>();
    for (const tp of assignment) {
      const st = this.subtopologyFor(tp.topic);
      if (st) wanted.set(taskIdOf(st.id, tp.partition), { st, partition: tp.partition });
    }
    const leaving = [...this.tasks.values()].filter((t) => !wanted.has(t.id));
    if (leaving.length > 0) {
      await this.commit(leaving, 'revocation');
      for (const t of leaving) await this.closeTask(t, true);
    }
    for (const [id, w] of wanted) {
      if (!this.tasks.has(id)) await this.createTask(id, w.st, w.partition);
    }
    this.d.logger.info('tasks assigned', { tasks: [...this.tasks.keys()].sort() });
  }

  private async createTask(id: string, st: Subtopology, partition: number): Promise<void> {
    const { applicationId, logger } = this.d;
    const taskLogger = logger.child({ task: id });
    if (st.stores.length > 0 && !this.d.state) {
      throw new TributaryError(
        'STATE_BACKEND_MISSING',
        `task ${id} has stores (${st.stores.map((s) => s.name).join(', ')}): configure a state backend, e.g. levelDbBackend({ stateDir }) from @tributary/state`,
      );
    }
    const stores =
      st.stores.length > 0 && this.d.state
        ? await this.d.state.openTask({
            applicationId,
            taskId: id,
            partition,
            stores: st.stores,
            changelogReader: this.d.port.changelogReader(),
            exactlyOnce: this.d.exactlyOnce,
            onRestoreProgress: this.d.onRestoreProgress,
            logger: taskLogger,
          })
        : undefined;
    const topics = st.topics.map((t) => resolveTopic(t, applicationId));
    const committed = await this.d.committedOffsets(topics);
    const mine = new Map([...committed].filter(([k]) => topics.some((t) => k === offsetKey(t, partition))));
    const active: { task?: ActiveTask } = {};
    const sinks = new Map<string, SinkTask<unknown, unknown>>();
    for (const node of st.nodes) {
      if (node.kind !== 'file-sink') continue;
      sinks.set(
        node.name,
        await node.sink.openTask({
          applicationId,
          taskId: id,
          committedOffsets: mine,
          requestCommit: () => {
            if (active.task) active.task.commitRequested = true;
          },
          logger: taskLogger,
          clock: this.d.clock,
        }),
      );
    }
    let producer: ProducerPort | undefined;
    if (this.d.exactlyOnce) {
      // One transactional id per task: a new owner's init fences the old one (zombie fencing).
      producer = this.d.port.producer({ transactionalId: `${applicationId}-${id}` });
      await producer.connect();
    }
    const outputs: ActiveTask['outputs'] = [];
    const stream = new StreamTask({
      taskId: id,
      applicationId,
      partition,
      subtopology: st,
      store: (name): StateStore => {
        const global = this.d.globals.store(name);
        if (global) return global;
        if (!stores) throw new TributaryError('STORE_NOT_FOUND', `no store "${name}" in task ${id}`);
        return stores.store(name);
      },
      sinkTasks: sinks,
      collector: { send: (r) => outputs.push(r) },
      errorPolicy: this.d.errorPolicy,
      logger: taskLogger,
      clock: this.d.clock,
      requestCommit: () => {
        if (active.task) active.task.commitRequested = true;
      },
    });
    await stream.init();
    const task: ActiveTask = {
      id,
      subtopology: st,
      partition,
      stream,
      stores,
      sinks,
      outputs,
      producer,
      transaction: undefined,
      commitRequested: false,
    };
    active.task = task;
    this.tasks.set(id, task);
    for (const t of topics) this.byTopicPartition.set(offsetKey(t, partition), task);
  }

  /** Processes one partition's batch, then hands its output to the producer. */
  async process(records: readonly RawRecord[]): Promise<void> {
    const first = records[0];
    if (!first) return;
    const task = this.byTopicPartition.get(offsetKey(first.topic, first.partition));
    // Not ours (any more): the partition moved in a rebalance; its new owner reads it from the committed offset.
    if (!task) return;
    await task.stream.process(records);
    this.processedTotal += records.length;
    await this.flushOutputs(task);
    await this.maybeCommit();
  }

  async flushOutputs(task: ActiveTask): Promise<void> {
    if (task.outputs.length === 0) return;
    const batch = task.outputs.splice(0);
    if (task.producer) {
      task.transaction ??= await task.producer.beginTransaction();
      await task.transaction.send(batch);
    } else {
      await (this.d.sharedProducer as ProducerPort).send(batch);
    }
  }

  /** Wall-clock duties: punctuators, sink rolling, and the commit interval. */
  async tick(): Promise<void> {
    const now = this.d.clock.now();
    for (const task of this.tasks.values()) {
      await task.stream.punctuateWallClock(now);
      for (const s of task.sinks.values()) s.tick?.(now);
      await this.flushOutputs(task);
    }
    await this.maybeCommit();
  }

  private async maybeCommit(): Promise<void> {
    const due = this.d.clock.now() - this.lastCommit >= this.d.commitIntervalMs;
    const requested = [...this.tasks.values()].some((t) => t.commitRequested);
    let overBudget = false;
    if (!due && !requested) {
      let cached = 0;
      for (const t of this.tasks.values()) cached += t.stores?.cachedBytes() ?? 0;
      overBudget = cached > this.d.cacheMaxBytes;
    }
    if (due || requested || overBudget)
      await this.commit([...this.tasks.values()], due ? 'interval' : requested ? 'requested' : 'cache-full');
  }

  async commit(tasks: readonly ActiveTask[], reason: string): Promise<void> {
    this.lastCommit = this.d.clock.now();
    if (tasks.length === 0) return;
    for (const t of tasks) await this.flushOutputs(t);
    await commitTasks(tasks, {
      consumer: this.d.consumer,
      sharedProducer: this.d.sharedProducer,
      logger: this.d.logger,
      reason,
    });
  }

  async commitAll(reason: string): Promise<void> {
    await this.commit([...this.tasks.values()], reason);
  }

  private async closeTask(task: ActiveTask, clean: boolean): Promise<void> {
    this.tasks.delete(task.id);
    for (const [k, t] of this.byTopicPartition) if (t === task) this.byTopicPartition.delete(k);
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
    if (task.transaction && !clean)
      await attempt(() => (task.transaction as NonNullable<ActiveTask['transaction']>).abort());
    if (task.producer) await attempt(() => (task.producer as ProducerPort).disconnect());
    if (task.stores) await attempt(() => (task.stores as NonNullable<ActiveTask['stores']>).close({ clean }));
    if (errors.length > 0) {
      this.d.logger.warn('task close had errors', { task: task.id, errors: errors.map(errorMessage) });
    }
  }

  /** Closes every task; `clean` after a successful commit, otherwise without claiming progress. */
  async closeAll(clean: boolean): Promise<void> {
    for (const t of [...this.tasks.values()]) await this.closeTask(t, clean);
  }

  /** Sum of error counters and late records over tasks. */
  metrics(): Record<string, number> {
    const m: Record<string, number> = { processed: this.processedTotal, lateRecordsUnrouted: 0 };
    for (const t of this.tasks.values()) {
      for (const [k, v] of Object.entries(t.stream.counters)) m[k] = (m[k] ?? 0) + v;
      m.lateRecordsUnrouted = (m.lateRecordsUnrouted ?? 0) + t.stream.lateRecordsUnrouted;
    }
    return m;
  }
}

export type { TopicPartitionOffset };
