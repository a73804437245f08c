import { errorMessage, isTributaryError } from '../../errors.js';
import type { ConsumerPort, TopicPartitionOffset } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { TaskSpec } from './task-factory.js';

/**
 * How long tasks closed after a fenced producer wait for the rebalance that normally follows, before
 * they are rebuilt from the last commit. A real move shows up at the next heartbeat (about a second);
 * a fence with no move behind it (the previous owner's producer created late, for a task this
 * instance got back meanwhile) has no rebalance coming, and the tasks would stay closed for good.
 */
export const ORPHAN_REBUILD_DELAY_MS = 3000;

/** What recovery needs from the task manager. */
export interface RecoverableTasks {
  /** The tasks that are live now. */
  specs(): TaskSpec[];
  /** Closes every task without claiming progress: open transactions aborted, no checkpoint. */
  closeAllDirty(): Promise<void>;
  /** Creates the task again (stores restored, a new transactional producer fencing the old one). */
  recreate(spec: TaskSpec): Promise<void>;
  /** Where the recreated task starts reading: its committed offsets. */
  nextOffsets(taskId: string): TopicPartitionOffset[];
}

/**
 * Under exactly-once, a transaction whose outcome is unknown (TASK_CORRUPTED: e.g. the coordinator
 * connection closed during EndTxn) does not stop the instance: every task is rebuilt from the last
 * commit and the consumer moves back to the committed offsets, so everything after that commit is
 * processed again. Records fetched before the seek are dropped as stale by the consumer.
 */
export class ExactlyOnceRecovery {
  /** The tasks of the last assignment applied. */
  private assigned: readonly TaskSpec[] = [];
  /** When tasks were closed after a fence that no rebalance has followed yet. */
  private orphanedAt: number | undefined;

  constructor(
    private readonly exactlyOnce: boolean,
    private readonly tasks: RecoverableTasks,
    private readonly consumer: ConsumerPort,
    private readonly logger: Logger,
  ) {}

  /** Runs `work`; resolves true when it completed, false when the tasks were rebuilt instead. */
  async guard(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      if (!this.exactlyOnce || !isTributaryError(err, 'TASK_CORRUPTED')) throw err;
      const specs = this.tasks.specs();
      this.logger.warn('transaction failed; tasks are rebuilt from the last commit', {
        error: errorMessage(err),
        tasks: specs.map((t) => t.id).sort(),
      });
      await this.rebuild(specs);
      return false;
    }
  }

  /** An assignment was applied: its tasks are live. */
  noteAssignment(specs: readonly TaskSpec[]): void {
    this.assigned = specs;
    this.orphanedAt = undefined;
  }

  /** The group announced a rebalance: its assignment recreates whatever it gives this instance. */
  noteRebalance(): void {
    this.orphanedAt = undefined;
  }

  /** All tasks were closed without committing because a producer was fenced or a commit rejected. */
  noteMigrated(now: number): void {
    if (this.exactlyOnce) this.orphanedAt ??= now;
  }

  /**
   * Kafka Streams answers a TaskMigratedException by rejoining the group. Here, when no rebalance
   * followed within ORPHAN_REBUILD_DELAY_MS, the assigned tasks are rebuilt from the last commit (a
   * new producer fences whichever zombie fenced this one) and the consumer moves back to the offsets.
   */
  async recoverOrphans(now: number, rebalancing: boolean): Promise<void> {
    if (this.orphanedAt === undefined || rebalancing) return;
    if (now - this.orphanedAt < ORPHAN_REBUILD_DELAY_MS) return;
    this.orphanedAt = undefined;
    this.logger.warn('no rebalance followed the fenced producer; tasks are rebuilt from the last commit', {
      tasks: this.assigned.map((t) => t.id).sort(),
    });
    await this.rebuild(this.assigned);
  }

  private async rebuild(specs: readonly TaskSpec[]): Promise<void> {
    await this.tasks.closeAllDirty();
    const seekTo: TopicPartitionOffset[] = [];
    for (const spec of specs) {
      await this.tasks.recreate(spec);
      seekTo.push(...this.tasks.nextOffsets(spec.id));
    }
    this.consumer.seek(seekTo);
    this.logger.info('tasks rebuilt', {
      tasks: specs.map((t) => t.id).sort(),
      seek: seekTo.map((o) => `${o.topic}-${o.partition}@${o.offset}`),
    });
  }
}
