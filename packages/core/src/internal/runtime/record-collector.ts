import type { OutgoingRecord } from '../../kafka/ports.js';

/** Where a task's output goes: buffered and produced in batches by the runtime. */
export interface RecordCollector {
  send(record: OutgoingRecord): void;
}
