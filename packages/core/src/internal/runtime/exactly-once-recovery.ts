import { errorMessage, isTributaryError } from '../../errors.js';
import type { ConsumerPort, TopicPartitionOffset } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { TaskSpec } from './task-factory.js';

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
