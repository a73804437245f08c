import { errorMessage, isTributaryError } from '../../errors.js';
import type { ProducerPort } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { ActiveTask } from './active-task.js';

/** Hands tasks' buffered output to their producer: the task's transaction, or the shared producer. */
export class OutputFlusher {
  /**
   * At-least-once: the shared producer's send still in flight (see `flushAll`). Every later send,
   * commit and close waits for it first, and a failure it had is thrown there.
   */
  private sharedSend: Promise<void> | undefined;

  constructor(
    /** At-least-once: one producer for all tasks; exactly-once: undefined (each task has its own). */
    private readonly sharedProducer: ProducerPort | undefined,
    private readonly exactlyOnce: boolean,
    private readonly logger: Logger,
    private readonly closeAllDirty: () => Promise<void>,
  ) {}

  async flush(task: ActiveTask): Promise<void> {
    await this.settle();
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
   * Every task's output, outside a commit. At-least-once: one send of the shared producer for all
   * of it, which the loop does not wait for (it goes on processing while the broker answers; at most
   * one such send is in flight, and a commit waits for it before committing offsets, so no offset is
   * committed ahead of its output). Exactly-once: each task's transaction, as `flushOrRetire`.
   */
  async flushAll(tasks: readonly ActiveTask[]): Promise<void> {
    const shared = this.sharedProducer;
    if (!shared) {
      for (const task of tasks) await this.flushOrRetire(task);
      return;
    }
    // The shared producer is not transactional: it has no TASK_MIGRATED, so every failure is thrown.
    await this.settle();
    const batch = tasks.flatMap((t) => t.outputs.splice(0));
    if (batch.length === 0) return;
    const sending = shared.send(batch).then(() => undefined);
    sending.catch(() => {}); // observed by settle(); not an unhandled rejection meanwhile
    this.sharedSend = sending;
  }

  /** At-least-once, before offsets are committed: every task's output sent and acknowledged. */
  async flushAllAndWait(tasks: readonly ActiveTask[]): Promise<void> {
    await this.flushAll(tasks);
    await this.settle();
  }

  /** Waits for the at-least-once send in flight, if any; its failure is thrown here, once. */
  async settle(): Promise<void> {
    const pending = this.sharedSend;
    if (!pending) return;
    try {
      await pending;
    } finally {
      if (this.sharedSend === pending) this.sharedSend = undefined;
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
      await this.migrated(err, task.id);
    }
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
