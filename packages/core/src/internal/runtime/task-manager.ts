import type { Clock } from '../../clock.js';
import { errorMessage, isTributaryError, TributaryError } from '../../errors.js';
import type {
  ConsumerPort,
  KafkaPort,
  ProducerPort,
  RawRecord,
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
  readonly endOffsets: (topic: string) => Promise<Map<number, bigint>>;
  /** Deletes consumed repartition records (as Kafka Streams' repartition purge). */
  readonly purge: (topic: string, offsets: ReadonlyMap<number, bigint>) => Promise<void>;
}

interface PartitionQueue {
  readonly task: ActiveTask;
  records: RawRecord[];
  head: number;
  /** When this queue last ran; breaks timestamp ties so equal heads take turns. */
  lastRun: number;
}

const SMALL_BATCH = 200;
const HARD_CAP = 80_000;
const MAX_BUFFER_DELAY_MS = 200;
const OUTPUT_FLUSH_MS = 200;
const PURGE_INTERVAL_MS = 30_000;
const OUTPUT_FLUSH_RECORDS = 10_000;
const MIN_RUN = 50;
/** Processed records at the head of a queue are dropped once there are this many (and at least half). */
const COMPACT_AFTER = 2048;
const MAX_RUN = 1000;

/** Owns the active tasks: creates and restores them on assignment, feeds them, commits and closes them. */
export class TaskManager {
  readonly tasks = new Map<string, ActiveTask>();
  private readonly byTopicPartition = new Map<string, ActiveTask>();
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly sharedOutputs: ActiveTask['outputs'] = [];
  /** Per input partition: next offset to process and the end offset seen at the last fetch. */
  private readonly positions = new Map<string, { next: bigint; end: bigint; enqueued: bigint }>();
  private rebalancing = false;
  private buffered = 0;
  /** Task ids of the newest assignment known (it may still wait for the lock). */
  private latestWanted: Set<string> | undefined;
  /** The task being created (and restored) right now, with the way to stop its restore. */
  private creating: { id: string; ctrl: AbortController } | undefined;
  private runCounter = 0;
  private heartbeat: (() => Promise<void>) | undefined;
  private lastOutputFlush = 0;
  private stopping = false;
  private readonly repartitionTopics: ReadonlySet<string>;
  private readonly toPurge = new Map<string, Map<number, bigint>>();
  private lastPurge = 0;
  private lastHeartbeat = 0;
  private bufferedSince = 0;
  private readonly maxBuffered = 20_000;
  private lastCommit: number;
  processedTotal = 0;
  /** Counters of tasks that were closed, so metrics survive rebalances. */
  private readonly retired: Record<string, number> = {};

  constructor(private readonly d: TaskManagerDeps) {
    this.lastCommit = d.clock.now();
    this.repartitionTopics = new Set(
      d.topology.subtopologies.flatMap((st) =>
        st.topics.filter((t) => t.kind === 'repartition').map((t) => resolveTopic(t, d.applicationId)),
      ),
    );
  }

  private subtopologyFor(topic: string): Subtopology | undefined {
    return this.d.topology.subtopologies.find((st) =>
      st.topics.some((t) => resolveTopic(t, this.d.applicationId) === topic),
    );
  }

  /** Applies a new (eager) assignment: commit and close tasks that left, create and restore new ones. */
  /**
   * Called as soon as a new assignment is known, before it is applied under the lock: a restore in
   * progress for a task the new assignment gives away stops, and tasks it gives away are not
   * created, so an instance does not spend a long restore on a task that is already someone else's.
   */
  supersede(assignment: readonly TopicPartition[]): void {
    const ids = new Set(this.wantedTasks(assignment).keys());
    this.latestWanted = ids;
    if (this.creating && !ids.has(this.creating.id))
      this.creating.ctrl.abort(new TributaryError('RESTORE_FAILED', 'task given to another instance'));
  }

  async assign(assignment: readonly TopicPartition[]): Promise<void> {
    const wanted = this.wantedTasks(assignment);
    const leaving = [...this.tasks.values()].filter((t) => !wanted.has(t.id));
    if (leaving.length > 0) {
      await this.commit(leaving, 'revocation');
      for (const t of leaving) await this.closeTask(t, true);
    }
    for (const [id, w] of wanted) {
      if (this.tasks.has(id) || (this.latestWanted && !this.latestWanted.has(id))) continue;
      const ctrl = new AbortController();
      this.creating = { id, ctrl };
      try {
        await this.createTask(id, w.st, w.partition, ctrl.signal);
      } catch (err) {
        if (!ctrl.signal.aborted) throw err;
        this.d.logger.info('restore stopped: a newer assignment gave the task away', { task: id });
      } finally {
        this.creating = undefined;
      }
    }
    this.d.logger.info('tasks assigned', { tasks: [...this.tasks.keys()].sort() });
  }

  private wantedTasks(
    assignment: readonly TopicPartition[],
  ): Map<string, { st: Subtopology; partition: number }> {
    const wanted = new Map<string, { st: Subtopology; partition: number }>();
    for (const tp of assignment) {
      const st = this.subtopologyFor(tp.topic);
      if (st) wanted.set(taskIdOf(st.id, tp.partition), { st, partition: tp.partition });
    }
    return wanted;
  }

  private async createTask(
    id: string,
    st: Subtopology,
    partition: number,
    signal: AbortSignal,
  ): Promise<void> {
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
            signal,
          })
        : undefined;
    const topics = st.topics.map((t) => resolveTopic(t, applicationId));
    const committed = await this.d.committedOffsets(topics);
    const mine = new Map([...committed].filter(([k]) => topics.some((t) => k === offsetKey(t, partition))));
    // Until the first fetch says otherwise, a partition counts as behind if its end is past the committed offset.
    for (const t of topics) {
      const end = (await this.d.endOffsets(t)).get(partition) ?? 0n;
      const key = offsetKey(t, partition);
      this.positions.set(key, { next: mine.get(key) ?? 0n, end, enqueued: mine.get(key) ?? 0n });
    }
    const active: { task?: ActiveTask } = {};
    const sinks = new Map<string, SinkTask<unknown, unknown>>();
    for (const node of st.nodes) {
      if (node.kind !== 'external-sink') continue;
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
    // At-least-once: one output buffer for all tasks, so records reach shared topics (repartition
    // topics in particular) in the order they were processed across tasks.
    const outputs: ActiveTask['outputs'] = producer ? [] : this.sharedOutputs;
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
      isCaughtUp: () => active.task !== undefined && this.isCaughtUp(),
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

  /**
   * Buffers one partition's batch. Buffered records are processed in timestamp order across the
   * instance's partitions (smallest head timestamp first, in short runs), as Kafka Streams does, so
   * a repartition topic receives records from several upstream tasks interleaved by time instead of
   * one whole fetch after another. Small batches (a live, low-rate stream) are processed at once.
   */
  async process(
    records: readonly RawRecord[],
    highWatermark?: bigint,
    heartbeat?: () => Promise<void>,
    isStale?: () => boolean,
  ): Promise<void> {
    if (heartbeat) this.heartbeat = heartbeat;
    const first = records[0];
    // Fetched before the tasks were rebuilt and the consumer moved back (reviveAll): these records
    // come again from the committed offset. Taking them now would skip the ones before them.
    if (!first || isStale?.()) return;
    const key = offsetKey(first.topic, first.partition);
    const task = this.byTopicPartition.get(key);
    // Not ours (any more): the partition moved in a rebalance; its new owner reads it from the committed offset.
    if (!task) return;
    let q = this.queues.get(key);
    if (!q) {
      q = { task, records: [], head: 0, lastRun: 0 };
      this.queues.set(key, q);
    }
    // After a rebalance kafkajs fetches a partition we kept from its last committed offset again;
    // records this task already processed or buffered are skipped, so they are not counted twice
    // (under exactly-once they would otherwise land in the open transaction a second time).
    const pos = this.positions.get(key);
    let added = 0;
    for (const r of records) {
      if (pos && r.offset < pos.enqueued) continue;
      q.records.push(r);
      added += 1;
    }
    if (pos) {
      const last = records[records.length - 1] as RawRecord;
      if (last.offset + 1n > pos.enqueued) pos.enqueued = last.offset + 1n;
      if (highWatermark !== undefined && highWatermark > pos.end) pos.end = highWatermark;
    }
    if (added === 0) return;
    if (this.buffered === 0) this.bufferedSince = this.d.clock.now();
    this.buffered += added;
    if (this.buffered >= this.maxBuffered) await this.drain(this.maxBuffered / 2);
    else if (added < SMALL_BATCH || this.bufferedTooLong()) await this.drain(0);
  }

  /** Processes buffered records until at most `target` remain, then produces outputs and maybe commits. */
  async drain(target = 0): Promise<void> {
    while (this.buffered > target && !this.stopping) {
      // A partition with unread records in Kafka but nothing buffered may hold older records than
      // every queue here: wait for its fetch rather than run ahead (bounded by HARD_CAP records).
      if (this.buffered < HARD_CAP && this.someBehindPartitionIsEmpty()) break;
      let best: PartitionQueue | undefined;
      let nextHead = Number.POSITIVE_INFINITY;
      for (const q of this.queues.values()) {
        const head = q.records[q.head];
        if (!head) continue;
        const bestHead = best?.records[best.head];
        // Equal timestamps (one producer batch spread over partitions) take turns: least recently run first.
        if (
          !bestHead ||
          head.timestamp < bestHead.timestamp ||
          (head.timestamp === bestHead.timestamp && q.lastRun < (best as PartitionQueue).lastRun)
        ) {
          if (bestHead) nextHead = Math.min(nextHead, bestHead.timestamp);
          best = q;
        } else nextHead = Math.min(nextHead, head.timestamp);
      }
      if (!best) break;
      // A run continues while it stays before the next partition's head; at least MIN_RUN records, so
      // partitions with equal timestamps (one producer batch) alternate in short runs.
      let end = best.head;
      while (
        end < best.records.length &&
        end - best.head < MAX_RUN &&
        (end - best.head < MIN_RUN || (best.records[end] as RawRecord).timestamp < nextHead)
      ) {
        end++;
      }
      best.lastRun = ++this.runCounter;
      const run = best.records.slice(best.head, end);
      best.head = end;
      if (best.head === best.records.length) {
        best.records = [];
        best.head = 0;
      } else if (best.head >= COMPACT_AFTER && best.head * 2 >= best.records.length) {
        // A queue that keeps getting batches never runs empty; without this its processed records
        // stayed referenced (seen: 350k records, ~250 MB, held by a 1M-record drain).
        best.records = best.records.slice(best.head);
        best.head = 0;
      }
      this.buffered -= run.length;
      await best.task.stream.process(run);
      await this.keepGroupSession();
      // Long drains still hand output on and commit on time, instead of only at their end.
      if (
        Date.now() - this.lastOutputFlush >= OUTPUT_FLUSH_MS ||
        this.sharedOutputs.length >= OUTPUT_FLUSH_RECORDS
      ) {
        this.lastOutputFlush = Date.now();
        for (const task of this.tasks.values()) await this.flushOutputs(task);
        await this.maybeCommit();
      }
      // Exactly-once: each task sends in its own transaction; sending after every run keeps outputs interleaved.
      if (best.task.producer) await this.flushOutputs(best.task);
      const last = run[run.length - 1] as RawRecord;
      const pos = this.positions.get(offsetKey(last.topic, last.partition));
      if (pos && last.offset + 1n > pos.next) pos.next = last.offset + 1n;
      this.processedTotal += run.length;
    }
    this.bufferedSince = this.d.clock.now();
    for (const task of this.tasks.values()) await this.flushOutputs(task);
    await this.maybeCommit();
  }

  /** Long drains heartbeat between runs, so slow processing does not cost the group membership. */
  private async keepGroupSession(): Promise<void> {
    const now = Date.now();
    if (!this.heartbeat || now - this.lastHeartbeat < 1000) return;
    this.lastHeartbeat = now;
    await this.heartbeat().catch(() => {});
  }

  /** Records wait at most MAX_BUFFER_DELAY_MS for other partitions' records to interleave with. */
  private bufferedTooLong(): boolean {
    return this.d.clock.now() - this.bufferedSince >= MAX_BUFFER_DELAY_MS;
  }

  /**
   * Caught up = nothing buffered and every input partition of the instance read to the end seen at
   * the last fetch. Instance-wide on purpose: a task whose own partition is drained may still get
   * records from upstream tasks here (through a repartition topic), so idle close waits for all.
   */
  private isCaughtUp(): boolean {
    // While the group rebalances, upstream tasks elsewhere may be stalled (dead owner, restore): an
    // empty input says nothing about the stream being quiet, so idle-time logic does not count it.
    if (this.rebalancing || this.buffered > 0) return false;
    for (const pos of this.positions.values()) if (pos.next < pos.end) return false;
    return true;
  }

  private someBehindPartitionIsEmpty(): boolean {
    for (const [key, pos] of this.positions) {
      if (pos.enqueued >= pos.end) continue;
      const q = this.queues.get(key);
      if (!q || q.head >= q.records.length) return true;
    }
    return false;
  }

  /** The consumer moved past `next` (data or transaction markers); used to tell when a task is caught up. */
  advancePosition(topic: string, partition: number, next: bigint, highWatermark: bigint): void {
    const pos = this.positions.get(offsetKey(topic, partition));
    if (!pos) return;
    if (next > pos.next) pos.next = next;
    // The fetch position: data batches were enqueued by process(); marker-only batches hold nothing.
    if (next > pos.enqueued) pos.enqueued = next;
    if (highWatermark > pos.end) pos.end = highWatermark;
  }

  /** The group announced a rebalance (true) or this instance applied its new assignment (false). */
  setRebalancing(rebalancing: boolean): void {
    this.rebalancing = rebalancing;
  }

  /** Shutdown: finish the run in flight, leave the rest of the buffer for the next owner. */
  requestStop(): void {
    this.stopping = true;
  }

  /** Drops buffered records of a task (it is closing; the next owner re-reads them). */
  private dropQueues(task: ActiveTask): void {
    for (const t of task.subtopology.topics)
      this.positions.delete(offsetKey(resolveTopic(t, this.d.applicationId), task.partition));
    for (const [k, q] of this.queues) {
      if (q.task !== task) continue;
      this.buffered -= q.records.length - q.head;
      this.queues.delete(k);
    }
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
    if (this.buffered > 0 && this.bufferedTooLong()) await this.drain(0);
    const now = this.d.clock.now();
    for (const task of this.tasks.values()) {
      await task.stream.punctuateWallClock(now);
      for (const s of task.sinks.values()) s.tick?.(now);
      await this.flushOutputs(task);
    }
    await this.maybeCommit();
    await this.maybePurge();
  }

  private async maybePurge(): Promise<void> {
    const now = this.d.clock.now();
    if (this.toPurge.size === 0 || now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    for (const [topic, offsets] of [...this.toPurge]) {
      this.toPurge.delete(topic);
      await this.d
        .purge(topic, offsets)
        .catch((err: unknown) =>
          this.d.logger.warn('repartition purge failed', { topic, error: errorMessage(err) }),
        );
    }
  }

  private async maybeCommit(): Promise<void> {
    const due = this.d.clock.now() - this.lastCommit >= this.d.commitIntervalMs;
    const requested = [...this.tasks.values()].some((t) => t.commitRequested);
    let overBudget = false;
    if (!due && !requested) {
      if (this.d.state?.cacheOverBudget) overBudget = this.d.state.cacheOverBudget();
      else {
        let cached = 0;
        for (const t of this.tasks.values()) cached += t.stores?.cachedBytes() ?? 0;
        overBudget = cached > this.d.cacheMaxBytes;
      }
    }
    if (due || requested || overBudget)
      await this.commit([...this.tasks.values()], due ? 'interval' : requested ? 'requested' : 'cache-full');
  }

  async commit(tasks: readonly ActiveTask[], reason: string): Promise<void> {
    this.lastCommit = this.d.clock.now();
    if (tasks.length === 0) return;
    // Offsets this commit makes durable on repartition topics can be purged afterwards.
    const purgeable: [string, number, bigint][] = [];
    for (const t of tasks) {
      for (const u of t.stream.uncommitted.values()) {
        if (this.repartitionTopics.has(u.topic)) purgeable.push([u.topic, u.partition, u.last + 1n]);
      }
    }
    try {
      for (const t of tasks) await this.flushOutputs(t);
      await commitTasks(tasks, {
        consumer: this.d.consumer,
        sharedProducer: this.d.sharedProducer,
        logger: this.d.logger,
        reason,
      });
      for (const [topic, partition, offset] of purgeable) {
        const m = this.toPurge.get(topic) ?? new Map<number, bigint>();
        m.set(partition, offset);
        this.toPurge.set(topic, m);
      }
    } catch (err) {
      if (!isTributaryError(err, 'TASK_MIGRATED')) throw err;
      // The group moved on without us (session lost or fenced). Under exactly-once the open
      // transactions are aborted and the tasks closed dirty, to be restored on the next assignment;
      // under at-least-once the records are processed again from the committed offsets.
      this.d.logger.warn('commit rejected; tasks will be re-read from the last commit', {
        reason,
        error: errorMessage(err),
      });
      if (this.d.exactlyOnce) await this.closeAll(false);
      if (reason === 'shutdown') throw err;
    }
  }

  async commitAll(reason: string): Promise<void> {
    await this.commit([...this.tasks.values()], reason);
  }

  private async closeTask(task: ActiveTask, clean: boolean): Promise<void> {
    this.tasks.delete(task.id);
    this.dropQueues(task);
    for (const [k, v] of Object.entries(task.stream.counters)) this.retired[k] = (this.retired[k] ?? 0) + v;
    this.retired.lateRecordsUnrouted =
      (this.retired.lateRecordsUnrouted ?? 0) + task.stream.lateRecordsUnrouted;
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

  /**
   * Runs `work`; under exactly-once, a TASK_CORRUPTED failure (a transaction whose outcome is
   * unknown) rebuilds every task from the last commit instead of stopping the instance. Resolves
   * true when `work` completed, false when the tasks were rebuilt instead.
   */
  async guard(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      if (!this.d.exactlyOnce || !isTributaryError(err, 'TASK_CORRUPTED')) throw err;
      this.d.logger.warn('transaction failed; tasks are rebuilt from the last commit', {
        error: errorMessage(err),
        tasks: [...this.tasks.keys()].sort(),
      });
      await this.reviveAll();
      return false;
    }
  }

  /**
   * Closes every task dirty (open transactions aborted, no checkpoint), creates it again (stores
   * restored from the changelog, a new transactional producer that fences the old one) and moves
   * the consumer back to the committed offsets, so everything after the last commit is processed
   * again. Records fetched before the seek are skipped by position like after a rebalance.
   */
  private async reviveAll(): Promise<void> {
    const live = [...this.tasks.values()].map((t) => ({
      id: t.id,
      st: t.subtopology,
      partition: t.partition,
    }));
    await this.closeAll(false);
    const seekTo: TopicPartitionOffset[] = [];
    for (const t of live) {
      await this.createTask(t.id, t.st, t.partition, new AbortController().signal);
      for (const topic of t.st.topics.map((x) => resolveTopic(x, this.d.applicationId))) {
        const pos = this.positions.get(offsetKey(topic, t.partition));
        if (pos) seekTo.push({ topic, partition: t.partition, offset: pos.next });
      }
    }
    this.d.consumer.seek(seekTo);
    this.d.logger.info('tasks rebuilt', {
      tasks: live.map((t) => t.id).sort(),
      seek: seekTo.map((o) => `${o.topic}-${o.partition}@${o.offset}`),
    });
  }

  /** Closes every task; `clean` after a successful commit, otherwise without claiming progress. */
  async closeAll(clean: boolean): Promise<void> {
    for (const t of [...this.tasks.values()]) await this.closeTask(t, clean);
  }

  /** Sum of error counters and late records over tasks. */
  metrics(): Record<string, number> {
    const m: Record<string, number> = {
      lateRecordsUnrouted: 0,
      ...this.retired,
      processed: this.processedTotal,
    };
    for (const t of this.tasks.values()) {
      for (const [k, v] of Object.entries(t.stream.counters)) m[k] = (m[k] ?? 0) + v;
      m.lateRecordsUnrouted = (m.lateRecordsUnrouted ?? 0) + t.stream.lateRecordsUnrouted;
    }
    return m;
  }
}
