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
  commitRequested: boolean;
}
