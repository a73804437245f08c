import { errorMessage, isTributaryError } from '../../errors.js';
import type { ProducerPort } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { ActiveTask } from './active-task.js';

/** Hands tasks' buffered output to their producer: the task's transaction, or the shared producer. */
export class OutputFlusher {
  constructor(
    /** At-least-once: one producer for all tasks; exactly-once: undefined (each task has its own). */
    private readonly sharedProducer: ProducerPort | undefined,
    private readonly exactlyOnce: boolean,
    private readonly logger: Logger,
    private readonly closeAllDirty: () => Promise<void>,
  ) {}

  async flush(task: ActiveTask): Promise<void> {
    if (task.outputs.length === 0) return;
    const batch = task.outputs.splice(0);
    if (task.producer) {
      task.transaction ??= await task.producer.beginTransaction();
      await task.transaction.send(batch);
    } else {
      await (this.sharedProducer as ProducerPort).send(batch);
    }
  }

  /**
   * `flush` outside a commit. A fenced producer (the group gave the task to another instance, which
   * fenced it) is handled as a rejected commit is: under exactly-once the tasks are closed dirty, to
   * be restored on the next assignment. Watermark records make this more likely than data alone: a
   * task resends its watermark right after an assignment, even with nothing to process, and a newer
   * assignment may already have moved it.
   */
  async flushOrRetire(task: ActiveTask): Promise<void> {
    try {
      await this.flush(task);
    } catch (err) {
      if (!isTributaryError(err, 'TASK_MIGRATED')) throw err;
      this.logger.warn('send rejected; tasks will be re-read from the last commit', {
        task: task.id,
        error: errorMessage(err),
      });
      if (this.exactlyOnce) await this.closeAllDirty();
    }
  }
}
