import { errorMessage, isTributaryError, TributaryError } from '../../errors.js';
import type { OutgoingRecord, ProducerPort, RawRecord, TopicPartition } from '../../kafka/ports.js';
import { offsetKey } from '../../sink/sink.js';
import { resolveTopic } from '../graph/nodes.js';
import { transactionalIdOf } from '../names.js';
import type { ActiveTask } from './active-task.js';
import { commitTasks } from './commit.js';
import { type CommitReason, CommitSchedule } from './commit-schedule.js';
import { ExactlyOnceRecovery } from './exactly-once-recovery.js';
import { OutputFlusher } from './output-flusher.js';
import { type PartitionLag, PartitionQueues } from './partition-queues.js';
import { RepartitionPurge } from './repartition-purge.js';
import {
  closeTask,
  createTask,
  type TaskEnvironment,
  type TaskSpec,
  tasksForAssignment,
} from './task-factory.js';
import { type TaskManagerDeps, taskEnvironmentOf } from './task-manager-deps.js';
import { HEARTBEAT_EVERY_MS, SMALL_BATCH } from './task-manager-tuning.js';
import { addTaskCounters, instanceCounters } from './task-metrics.js';
import type { KnownReport } from './watermarks.js';

export type { TaskManagerDeps } from './task-manager-deps.js';

/** Owns the active tasks: creates and restores them on assignment, feeds them, commits and closes them. */
export class TaskManager {
  readonly tasks = new Map<string, ActiveTask>();
  private readonly queues: PartitionQueues;
  private readonly sharedOutputs: OutgoingRecord[] = [];
  private readonly schedule: CommitSchedule;
  private readonly purge: RepartitionPurge;
  private readonly recovery: ExactlyOnceRecovery;
  private readonly env: TaskEnvironment;
  private readonly flusher: OutputFlusher;
  private rebalancing = false;
  /** Task ids of the newest assignment known (it may still wait for the lock). */
  private latestWanted: Set<string> | undefined;
  /** The task being created (and restored) right now, with the way to stop its restore. */
  private creating: { id: string; ctrl: AbortController } | undefined;
  private heartbeat: (() => Promise<void>) | undefined;
  private lastOutputFlush = 0;
  private lastHeartbeat = 0;
  private bufferedSince = 0;
  private stopping = false;
  /** Counters of tasks that were closed, so metrics survive rebalances. */
  private readonly retired: Record<string, number> = {};
  /** Per task id: the upstream watermark reports its last incarnation here had heard. */
  private readonly knownReports = new Map<string, KnownReport[]>();

  constructor(private readonly d: TaskManagerDeps) {
    this.queues = new PartitionQueues(d.buffering.maxRunRecords);
    this.schedule = new CommitSchedule(d.commitIntervalMs, d.clock, d.state);
    this.flusher = new OutputFlusher(d.sharedProducer, d.exactlyOnce, d.logger, () => this.retireAll());
    const repartitionTopics = new Set(
      d.topology.subtopologies.flatMap((st) =>
        st.topics.filter((t) => t.kind === 'repartition').map((t) => resolveTopic(t, d.applicationId)),
      ),
    );
    this.purge = new RepartitionPurge(repartitionTopics, d.purge, d.clock, d.logger);
    this.recovery = new ExactlyOnceRecovery(
      d.exactlyOnce,
      {
        specs: () =>
          [...this.tasks.values()].map((t) => ({
            id: t.id,
            subtopology: t.subtopology,
            partition: t.partition,
          })),
        closeAllDirty: () => this.closeAll(false),
        recreate: (spec) => this.createTask(spec, new AbortController().signal),
        nextOffsets: (id) => {
          const task = this.tasks.get(id);
          return task ? this.queues.nextOffsets(task) : [];
        },
      },
      d.consumer,
      d.logger,
      d.sessionTimeoutMs,
    );
    this.env = taskEnvironmentOf(d);
  }

  /**
   * Called as soon as a new assignment is known, before it is applied under the lock: a restore in
   * progress for a task the new assignment gives away stops, and tasks it gives away are not
   * created, so an instance does not spend a long restore on a task that is already someone else's.
   */
  supersede(assignment: readonly TopicPartition[]): void {
    const ids = new Set(tasksForAssignment(this.d.topology, this.d.applicationId, assignment).keys());
    this.latestWanted = ids;
    if (this.creating && !ids.has(this.creating.id))
      this.creating.ctrl.abort(new TributaryError('RESTORE_FAILED', 'task given to another instance'));
  }

  /** Applies a new (eager) assignment: commit and close tasks that left, create and restore new ones. */
  async assign(assignment: readonly TopicPartition[]): Promise<void> {
    const wanted = tasksForAssignment(this.d.topology, this.d.applicationId, assignment);
    const leaving = [...this.tasks.values()].filter((t) => !wanted.has(t.id));
    if (leaving.length > 0) {
      await this.commit(leaving, 'revocation');
      for (const t of leaving) await this.closeTask(t, true);
    }
    for (const [id, spec] of wanted) {
      if (this.tasks.has(id) || (this.latestWanted && !this.latestWanted.has(id))) continue;
      const ctrl = new AbortController();
      this.creating = { id, ctrl };
      try {
        await this.createTask(spec, ctrl.signal);
      } catch (err) {
        if (!ctrl.signal.aborted) throw err;
        this.d.logger.info('restore stopped: a newer assignment gave the task away', { task: id });
      } finally {
        this.creating = undefined;
      }
    }
    this.recovery.noteAssignment([...wanted.values()]);
    // Every member gets an assignment after a rebalance, so every upstream task resends its watermark
    // and a downstream task that moved here learns the watermarks of all of them.
    for (const t of this.tasks.values()) t.stream.eventClock.resend();
    this.d.logger.info('tasks assigned', { tasks: [...this.tasks.keys()].sort() });
  }

  private async createTask(spec: TaskSpec, signal: AbortSignal): Promise<void> {
    const { applicationId } = this.d;
    const topics = spec.subtopology.topics.map((t) => resolveTopic(t, applicationId));
    const keys = new Set(topics.map((t) => offsetKey(t, spec.partition)));
    let producer: ProducerPort | undefined;
    if (this.d.exactlyOnce) {
      // Fence the previous owner first: its open transaction is aborted and it can commit nothing
      // more, so the committed offsets and the changelog end read below stay put.
      producer = this.d.port.producer({ transactionalId: transactionalIdOf(applicationId, spec.id) });
      await producer.connect();
    }
    try {
      const committed = new Map([...(await this.d.committedOffsets(topics))].filter(([k]) => keys.has(k)));
      const knownReports = this.knownReports.get(spec.id);
      const task = await createTask(spec, this.env, {
        committedOffsets: committed,
        // At-least-once: one output buffer for all tasks, so records reach shared topics (repartition
        // topics in particular) in the order they were processed across tasks.
        outputs: producer ? [] : this.sharedOutputs,
        producer,
        isCaughtUp: () => this.isCaughtUp(),
        inputCaughtUp: (topic) => !this.rebalancing && this.queues.partitionCaughtUp(topic, spec.partition),
        signal,
        ...(knownReports ? { knownReports } : {}),
      });
      for (const t of topics) {
        const end = (await this.d.endOffsets(t)).get(spec.partition) ?? 0n;
        this.queues.track(task, t, committed.get(offsetKey(t, spec.partition)) ?? 0n, end);
      }
      this.tasks.set(spec.id, task);
    } catch (err) {
      await producer?.disconnect().catch(() => {});
      throw err;
    }
  }

  /**
   * Buffers one partition's batch, processed in timestamp order across the instance's partitions
   * (see PartitionQueues). Small batches (a live, low-rate stream) are processed at once.
   */
  async process(
    records: readonly RawRecord[],
    highWatermark?: bigint,
    heartbeat?: () => Promise<void>,
    isStale?: () => boolean,
  ): Promise<void> {
    if (heartbeat) this.heartbeat = heartbeat;
    // Fetched before the tasks were rebuilt and the consumer moved back: these records come again
    // from the committed offset. Taking them now would skip the ones before them.
    if (isStale?.()) return;
    this.d.stats.poll.record(1);
    const wasEmpty = this.queues.buffered === 0;
    const added = this.queues.enqueue(records, highWatermark);
    if (added === 0) return;
    if (wasEmpty) this.bufferedSince = this.d.clock.now();
    const { maxBufferedRecords, maxBufferedBytes } = this.d.buffering;
    if (this.queues.buffered >= maxBufferedRecords || this.queues.bufferedBytes >= maxBufferedBytes)
      await this.drain(maxBufferedRecords / 2, maxBufferedBytes / 2);
    else if (added < SMALL_BATCH || this.bufferedTooLong()) await this.drain(0);
  }

  /**
   * Processes buffered records until at most `target` records and `targetBytes` bytes remain, then
   * produces outputs and maybe commits.
   */
  async drain(target = 0, targetBytes = 0): Promise<void> {
    const q = this.queues;
    const b = this.d.buffering;
    while ((q.buffered > target || (target > 0 && q.bufferedBytes > targetBytes)) && !this.stopping) {
      // Wait for a lagging partition's fetch rather than run ahead of it (bounded by the hard caps).
      if (q.buffered < b.hardCapRecords && q.bufferedBytes < b.hardCapBytes && q.someBehindPartitionIsEmpty())
        break;
      const run = this.queues.nextRun();
      if (!run) break;
      const started = performance.now();
      await run.task.stream.process(run.records);
      // The one count of processed records: metrics() and /metrics both read it.
      this.d.stats.process.record(run.records.length, performance.now() - started);
      this.queues.processed(run);
      await this.keepGroupSession();
      // Long drains still hand output on and commit on time, instead of only at their end.
      const now = this.d.clock.now();
      if (
        now - this.lastOutputFlush >= b.outputFlushMs ||
        this.sharedOutputs.length >= b.outputFlushRecords
      ) {
        this.lastOutputFlush = now;
        for (const task of [...this.tasks.values()]) await this.flusher.flushOrRetire(task);
        await this.maybeCommit();
      }
      // Exactly-once: each task sends in its own transaction; sending after every run keeps outputs
      // interleaved, and the send overlaps the next runs.
      if (run.task.producer && this.tasks.get(run.task.id) === run.task)
        await this.flusher.flushOrRetire(run.task, { inBackground: true });
    }
    this.bufferedSince = this.d.clock.now();
    for (const task of [...this.tasks.values()]) await this.flusher.flushOrRetire(task);
    await this.maybeCommit();
  }

  /** Long drains heartbeat between runs, so slow processing does not cost the group membership. */
  private async keepGroupSession(): Promise<void> {
    const now = this.d.clock.now();
    if (!this.heartbeat || now - this.lastHeartbeat < HEARTBEAT_EVERY_MS) return;
    this.lastHeartbeat = now;
    await this.heartbeat().catch(() => {});
  }

  /** Records wait at most `buffering.maxBufferDelayMs` for other partitions' records to interleave with. */
  private bufferedTooLong(): boolean {
    return this.d.clock.now() - this.bufferedSince >= this.d.buffering.maxBufferDelayMs;
  }

  /**
   * Caught up = nothing buffered and every input partition of the instance read to the end seen at
   * the last fetch. Instance-wide on purpose: a task whose own partition is drained may still get
   * records from upstream tasks here (through a repartition topic), so idle close waits for all.
   * While the group rebalances, upstream tasks elsewhere may be stalled (dead owner, restore): an
   * empty input says nothing about the stream being quiet, so idle-time logic does not count it.
   */
  private isCaughtUp(): boolean {
    return !this.rebalancing && this.queues.allCaughtUp();
  }

  /** The consumer moved past `next` (data or transaction markers); used to tell when a task is caught up. */
  advancePosition(topic: string, partition: number, next: bigint, highWatermark: bigint): void {
    this.queues.advance(topic, partition, next, highWatermark);
  }

  /** Task ids of the newest assignment, created or not yet (restoring, or waiting for the lock). */
  assignedTaskIds(): ReadonlySet<string> {
    return this.latestWanted ?? new Set(this.tasks.keys());
  }

  /** Task ids assigned here that do not run yet (restoring, or waiting for the lock), sorted. */
  restoringTaskIds(): string[] {
    return [...this.assignedTaskIds()].filter((id) => !this.tasks.has(id)).sort();
  }

  /** Records between the processed position and the end of each input partition. */
  lags(): PartitionLag[] {
    return this.queues.lags();
  }

  /** The group announced a rebalance (true) or this instance applied its new assignment (false). */
  setRebalancing(rebalancing: boolean): void {
    this.rebalancing = rebalancing;
    if (rebalancing) this.recovery.noteRebalance();
  }

  /** Shutdown: finish the run in flight, leave the rest of the buffer for the next owner. */
  requestStop(): void {
    this.stopping = true;
  }

  /** Wall-clock duties: punctuators, sink rolling, the commit interval and the repartition purge. */
  async tick(): Promise<void> {
    await this.recovery.recoverOrphans(this.d.clock.now(), this.rebalancing);
    if (this.queues.buffered > 0 && this.bufferedTooLong()) await this.drain(0);
    const now = this.d.clock.now();
    for (const task of [...this.tasks.values()]) {
      if (this.tasks.get(task.id) !== task) continue; // closed by a rejected send just now
      await task.stream.refreshWatermark(now);
      await task.stream.punctuateWallClock(now);
      for (const s of task.sinks.values()) s.tick?.(now);
      await this.flusher.flushOrRetire(task);
    }
    await this.maybeCommit();
    await this.purge.maybeRun();
  }

  private async maybeCommit(): Promise<void> {
    const reason = this.schedule.due(this.tasks.values());
    if (reason) await this.commit([...this.tasks.values()], reason);
  }

  async commit(tasks: readonly ActiveTask[], reason: CommitReason): Promise<void> {
    this.schedule.started();
    if (tasks.length === 0) return;
    const purgeable = this.purge.pendingIn(tasks);
    try {
      const started = performance.now();
      // Exactly-once: each task's output goes out with its changelog, in its commit (commit.ts).
      if (!this.d.exactlyOnce) for (const t of tasks) await this.flusher.flush(t);
      await commitTasks(tasks, {
        consumer: this.d.consumer,
        sharedProducer: this.d.sharedProducer,
        logger: this.d.logger,
        clock: this.d.clock,
        reason,
      });
      this.d.stats.commit.record(1, performance.now() - started);
      this.purge.committed(purgeable);
    } catch (err) {
      if (!isTributaryError(err, 'TASK_MIGRATED')) throw err;
      // The group moved on without us (session lost or fenced). Under exactly-once the open
      // transactions are aborted and the tasks closed dirty, to be restored on the next assignment;
      // under at-least-once the records are processed again from the committed offsets.
      this.d.logger.warn('commit rejected; tasks will be re-read from the last commit', {
        reason,
        error: errorMessage(err),
      });
      if (this.d.exactlyOnce) await this.retireAll();
      if (reason === 'shutdown') throw err;
    }
  }

  async commitAll(reason: CommitReason): Promise<void> {
    await this.commit([...this.tasks.values()], reason);
  }

  private async closeTask(task: ActiveTask, clean: boolean): Promise<unknown[]> {
    this.tasks.delete(task.id);
    this.knownReports.set(task.id, task.stream.eventClock.reports());
    this.d.storeStats?.dropTask(task.id);
    this.queues.drop(task);
    addTaskCounters(this.retired, task);
    const errors = await closeTask(task, clean);
    if (errors.length > 0) {
      this.d.logger.warn('task close had errors', { task: task.id, errors: errors.map(errorMessage) });
    }
    return errors;
  }

  /** Runs `work`; true when it completed, false when a TASK_CORRUPTED failure rebuilt the tasks (ExactlyOnceRecovery). */
  guard(work: () => Promise<void>): Promise<boolean> {
    return this.recovery.guard(work);
  }

  /** Exactly-once, after a fence: every task closed dirty, to come back by assignment or rebuild. */
  private async retireAll(): Promise<void> {
    await this.closeAll(false);
    this.recovery.noteMigrated(this.d.clock.now());
  }

  /**
   * Closes every task; `clean` after a successful commit, otherwise without claiming progress. A
   * clean close rejects with the first error after closing them all (e.g. a processor's close()
   * emitting a record the `fail` policy refuses): the shutdown then ends as a failure.
   */
  async closeAll(clean: boolean): Promise<void> {
    const errors: unknown[] = [];
    for (const t of [...this.tasks.values()]) errors.push(...(await this.closeTask(t, clean)));
    if (clean && errors.length > 0) throw errors[0];
  }

  metrics(): Record<string, number> {
    return instanceCounters(this.retired, this.tasks.values(), this.d.stats.process.count);
  }
}
