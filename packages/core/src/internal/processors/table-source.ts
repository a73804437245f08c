import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';
import { countSkipped, isNullish } from './skipped-records.js';

/**
 * Materializes a topic as a table: upsert, null value = delete; forwards Change{new, old}. As in
 * Kafka Streams, a tombstone is forwarded even when the key was absent (a downstream table may still
 * hold it), and a record with a null key cannot address a row: skipped and counted.
 */
export class TableSourceProcessor<K, V> implements Processor<K, V | null, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store!: KeyValueStore<K, V>;

  constructor(private readonly storeName: string) {}

  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, V>>(this.storeName);
  }

  process(record: StreamRecord<K, V | null>): void {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    const old = this.store.get(record.key);
    if (isNullish(record.value)) {
      if (old !== undefined) this.store.delete(record.key);
      this.ctx.forward({ ...record, value: change<V>(undefined, old) });
      return;
    }
    this.store.put(record.key, record.value);
    this.ctx.forward({ ...record, value: change(record.value, old) });
  }
}

/** toTable(): same as a table source, for a stream already inside the topology. */
export { TableSourceProcessor as ToTableProcessor };
