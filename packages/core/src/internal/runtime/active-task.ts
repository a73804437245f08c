import type { OutgoingRecord, ProducerPort, TransactionPort } from '../../kafka/ports.js';
import type { SinkTask } from '../../sink/sink.js';
import type { TaskStores } from '../../state/store.js';
import type { Subtopology } from '../graph/topology.js';
import type { StreamTask } from './stream-task.js';

/** A task this instance owns, with everything the commit protocol touches. */
export interface ActiveTask {
  readonly id: string;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly stream: StreamTask;
  readonly stores: TaskStores | undefined;
  readonly sinks: ReadonlyMap<string, SinkTask<unknown, unknown>>;
  /** Output records not yet handed to the producer. */
  readonly outputs: OutgoingRecord[];
  /** Exactly-once: the task's own transactional producer and its open transaction. */
  readonly producer: ProducerPort | undefined;
  transaction: TransactionPort | undefined;
  /**
   * Exactly-once: the send of the task's last run, still in flight. The loop goes on processing other
   * tasks' runs meanwhile; anything that touches the transaction settles it first (`settleSend`).
   */
  pendingSend: Promise<void> | undefined;
  commitRequested: boolean;
}

/** Waits for the task's send in flight, if any; its failure is thrown here, once. */
export async function settleSend(task: ActiveTask): Promise<void> {
  const pending = task.pendingSend;
  if (!pending) return;
  try {
    await pending;
  } finally {
    if (task.pendingSend === pending) task.pendingSend = undefined;
  }
}
