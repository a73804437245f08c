import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';

/** Materializes a topic as a table: upsert, null value = delete; forwards Change{new, old}. */
export class TableSourceProcessor<K, V> implements Processor<K, V | null, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store!: KeyValueStore<K, V>;
  /** Records skipped for a null key. */
  skippedNullKeys = 0;

  constructor(private readonly storeName: string) {}

  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, V>>(this.storeName);
  }

  process(record: StreamRecord<K, V | null>): void {
    // A null key cannot address a row: skipped and counted, as Kafka Streams drops it (with a
    // warning and its dropped-records sensor) rather than failing (fixture tjoin-null-keys).
    if (record.key === null || record.key === undefined) {
      this.skippedNullKeys += 1;
      return;
    }
    const old = this.store.get(record.key);
    if (record.value === null || record.value === undefined) {
      // Forwarded even when the key holds no row (an update with neither value), as Kafka Streams
      // does (fixture table-source-tombstones): toStream() passes the tombstone on, and a join
      // forwards it where the other side has a row; filters and groupBy drop it.
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
