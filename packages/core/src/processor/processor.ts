import type { RecordMetadata, StreamRecord } from '../record.js';
import type { StateStore } from '../state/store.js';

export type PunctuationType = 'stream-time' | 'wall-clock';

/**
 * How a task's event-time clock (`currentStreamTime()`, stream-time punctuation, window close)
 * advances. 'watermark' (the default): the minimum over the task's input partitions of the largest
 * event time seen in each (for a repartition partition: over every upstream task), so the order in
 * which partitions are fetched cannot make a record late. 'stream-time': Kafka Streams' semantics,
 * the largest timestamp seen (by each windowed operator: the largest it has seen).
 */
export type EventTimeMode = 'watermark' | 'stream-time';

export interface Cancellable {
  cancel(): void;
}

/** What a processor can do besides receiving records. One context per processor per task. */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  /** Source metadata of the record being processed; undefined inside punctuators. */
  readonly recordMetadata: RecordMetadata | undefined;
  /** Sends a record to every child, or to the named child only. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Calls `callback` every `intervalMs`: on stream time (driven by record timestamps) or on wall-clock
   * time. Callbacks may be async; the runtime awaits them between batches, not per record.
   */
  schedule(
    intervalMs: number,
    type: PunctuationType,
    callback: (timestamp: number) => void | Promise<void>,
  ): Cancellable;
  /** The task's event-time clock: its watermark, or (eventTime 'stream-time') the largest timestamp seen. */
  currentStreamTime(): number;
  /** Which clock `currentStreamTime()` is; windowed operators keep their own under 'stream-time'. */
  readonly eventTime: EventTimeMode;
  currentSystemTime(): number;
  /**
   * True when the task has processed everything its input partitions held at the last fetch (no
   * lag, nothing buffered). Wall-clock logic such as idle window close waits for this, so a task
   * that is merely waiting for its turn during a catch-up is not mistaken for a quiet stream.
   */
  isCaughtUp(): boolean;
  /** Ask for a commit after the current batch. */
  requestCommit(): void;
}

/**
 * A node of the processor graph. `process` is synchronous for every built-in operator; a custom
 * processor may return a promise (the task then awaits it before the next record of that task).
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void | Promise<void>;
  process(record: StreamRecord<KIn, VIn>): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type ProcessorSupplier<KIn, VIn, KOut, VOut> = () => Processor<KIn, VIn, KOut, VOut>;
