import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';

type ChangeRecord<K, V> = StreamRecord<K, Change<V>>;

/** KTable.filter: values failing the predicate become absent, so a row that stops matching is retracted. */
export class TableFilterProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  constructor(private readonly predicate: (key: K, value: V) => boolean) {}
  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
  }
  process(record: ChangeRecord<K, V>): void {
    const keep = (v: V | undefined) => (v !== undefined && this.predicate(record.key, v) ? v : undefined);
    const newValue = keep(record.value.newValue);
    const oldValue = keep(record.value.oldValue);
    if (newValue === undefined && oldValue === undefined) return;
    this.ctx.forward({ ...record, value: change(newValue, oldValue) });
  }
}

export class TableMapValuesProcessor<K, V, VR> implements Processor<K, Change<V>, K, Change<VR>> {
  private ctx!: ProcessorContext<K, Change<VR>>;
  constructor(private readonly mapper: (value: V, key: K) => VR) {}
  init(ctx: ProcessorContext<K, Change<VR>>): void {
    this.ctx = ctx;
  }
  process(record: ChangeRecord<K, V>): void {
    const map = (v: V | undefined) => (v === undefined ? undefined : this.mapper(v, record.key));
    this.ctx.forward({ ...record, value: change(map(record.value.newValue), map(record.value.oldValue)) });
  }
}

/** KTable.toStream: the new value, or null for a deletion (a tombstone downstream). */
export class TableToStreamProcessor<K, V> implements Processor<K, Change<V>, K, V | null> {
  private ctx!: ProcessorContext<K, V | null>;
  init(ctx: ProcessorContext<K, V | null>): void {
    this.ctx = ctx;
  }
  process(record: ChangeRecord<K, V>): void {
    this.ctx.forward({
      ...record,
      value: record.value.newValue === undefined ? null : record.value.newValue,
    });
  }
}
