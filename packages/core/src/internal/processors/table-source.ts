import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';

/** Materializes a topic as a table: upsert, null value = delete; forwards Change{new, old}. */
export class TableSourceProcessor<K, V> implements Processor<K, V | null, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store!: KeyValueStore<K, V>;

  constructor(private readonly storeName: string) {}

  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, V>>(this.storeName);
  }

  process(record: StreamRecord<K, V | null>): void {
    // A null key cannot address a row: Kafka Streams skips these too; the error policy decides.
    if (record.key === null || record.key === undefined) {
      throw new Error(`table ${this.storeName}: record has a null key`);
    }
    const old = this.store.get(record.key);
    if (record.value === null || record.value === undefined) {
      if (old === undefined) return;
      this.store.delete(record.key);
      this.ctx.forward({ ...record, value: change<V>(undefined, old) });
      return;
    }
    this.store.put(record.key, record.value);
    this.ctx.forward({ ...record, value: change(record.value, old) });
  }
}

/** toTable(): same as a table source, for a stream already inside the topology. */
export { TableSourceProcessor as ToTableProcessor };
