import { errorMessage, isTributaryError } from '../../errors.js';
import type { OutgoingRecord, ProducerPort } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import { type ActiveTask, settleSend } from './active-task.js';

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
    await settleSend(task);
    if (task.outputs.length === 0) return;
    const batch = task.outputs.splice(0);
    if (task.producer) {
      await sendInTransaction(task, task.producer, batch);
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
  async flushOrRetire(task: ActiveTask, opts: { inBackground?: boolean } = {}): Promise<void> {
    try {
      if (opts.inBackground && task.producer) await this.startSend(task, task.producer);
      else await this.flush(task);
    } catch (err) {
      await this.migrated(err, task.id);
    }
  }

  /**
   * Exactly-once, after a run: the task's output goes out while the loop processes other tasks' runs
   * (each task has its own producer, so their sends overlap). At most one send per task is in
   * flight: the previous one settles first, and with it any failure it had.
   */
  private async startSend(task: ActiveTask, producer: ProducerPort): Promise<void> {
    await settleSend(task);
    if (task.outputs.length === 0) return;
    const sending = sendInTransaction(task, producer, task.outputs.splice(0));
    sending.catch(() => {}); // observed by settleSend; not an unhandled rejection meanwhile
    task.pendingSend = sending;
  }

  /** TASK_MIGRATED is logged (and under exactly-once retires the tasks); anything else is thrown. */
  private async migrated(err: unknown, task: string): Promise<void> {
    if (!isTributaryError(err, 'TASK_MIGRATED')) throw err;
    this.logger.warn('send rejected; tasks will be re-read from the last commit', {
      task,
      error: errorMessage(err),
    });
    if (this.exactlyOnce) await this.closeAllDirty();
  }
}

async function sendInTransaction(
  task: ActiveTask,
  producer: ProducerPort,
  batch: OutgoingRecord[],
): Promise<void> {
  task.transaction ??= await producer.beginTransaction();
  await task.transaction.send(batch);
}
