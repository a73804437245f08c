import type { Clock } from '../../clock.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ActiveTask } from './active-task.js';

/** How often consumed repartition records are deleted; each purge is one DeleteRecords per topic. */
const PURGE_INTERVAL_MS = 30_000;

type Purgeable = readonly [topic: string, partition: number, before: bigint];

/**
 * Deletes repartition records once a commit made their consumption durable, as Kafka Streams'
 * repartition purge does: the topology is the only reader, so they are never needed again.
 */
export class RepartitionPurge {
  private readonly due = new Map<string, Map<number, bigint>>();
  private lastPurge = 0;

  constructor(
    private readonly repartitionTopics: ReadonlySet<string>,
    private readonly purge: (topic: string, offsets: ReadonlyMap<number, bigint>) => Promise<void>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Before a commit: the repartition offsets it will make durable. */
  pendingIn(tasks: readonly ActiveTask[]): Purgeable[] {
    const out: Purgeable[] = [];
    for (const t of tasks) {
      for (const o of t.stream.committableOffsets()) {
        if (this.repartitionTopics.has(o.topic)) out.push([o.topic, o.partition, o.offset]);
      }
    }
    return out;
  }

  /** After the commit succeeded: those records may go. */
  committed(pending: readonly Purgeable[]): void {
    for (const [topic, partition, before] of pending) {
      const m = this.due.get(topic) ?? new Map<number, bigint>();
      m.set(partition, before);
      this.due.set(topic, m);
    }
  }

  /** Runs the purge at most every PURGE_INTERVAL_MS; a failed purge is retried with the next one. */
  async maybeRun(): Promise<void> {
    const now = this.clock.now();
    if (this.due.size === 0 || now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    for (const [topic, offsets] of [...this.due]) {
      this.due.delete(topic);
      await this.purge(topic, offsets).catch((err: unknown) =>
        this.logger.warn('repartition purge failed', { topic, error: errorMessage(err) }),
      );
    }
  }
}
