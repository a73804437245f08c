import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { KeyValue, StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import type { KeyValueStore } from '../../state/store.js';
import { countSkipped, isNullish } from './skipped-records.js';

/** What crosses the repartition topic of KTable.groupBy: the value to subtract and/or to add. */
export interface TableDelta<V> {
  readonly o?: V;
  readonly n?: V;
}

/** Wraps the value serde so old and new values keep the user's encoding inside one record. */
export function tableDeltaSerde<V>(inner: Serde<V>): Serde<TableDelta<V>> {
  const outer = Serdes.msgpack<{ o?: Buffer | null; n?: Buffer | null }>();
  return {
    serialize: (d, topic) => {
      const body: { o?: Buffer | null; n?: Buffer | null } = {};
      if (d.o !== undefined) body.o = inner.serialize(d.o, topic);
      if (d.n !== undefined) body.n = inner.serialize(d.n, topic);
      return outer.serialize(body, topic);
    },
    deserialize: (b, topic) => {
      const body = outer.deserialize(b, topic);
      const d: { o?: V; n?: V } = {};
      if (body.o !== undefined && body.o !== null) d.o = inner.deserialize(Buffer.from(body.o), topic);
      if (body.n !== undefined && body.n !== null) d.n = inner.deserialize(Buffer.from(body.n), topic);
      return d;
    },
  };
}

/**
 * KTable.groupBy: re-keys each update. The old row is subtracted from its old group and the new row
 * added to its new group, as two records when the group changes, one when it stays.
 */
export class TableRegroupProcessor<K, V, KR, VR> implements Processor<K, Change<V>, KR, TableDelta<VR>> {
  private ctx!: ProcessorContext<KR, TableDelta<VR>>;
  constructor(
    private readonly selector: (key: K, value: V) => KeyValue<KR, VR>,
    private readonly keyBytes: (key: KR) => string,
  ) {}
  init(ctx: ProcessorContext<KR, TableDelta<VR>>): void {
    this.ctx = ctx;
  }
  process(record: StreamRecord<K, Change<V>>): void {
    const { newValue, oldValue } = record.value;
    const oldKv = oldValue === undefined ? undefined : this.selector(record.key, oldValue);
    const newKv = newValue === undefined ? undefined : this.selector(record.key, newValue);
    if (oldKv && newKv && this.keyBytes(oldKv.key) === this.keyBytes(newKv.key)) {
      this.ctx.forward({ ...record, key: newKv.key, value: { o: oldKv.value, n: newKv.value } });
      return;
    }
    if (oldKv) this.ctx.forward({ ...record, key: oldKv.key, value: { o: oldKv.value } });
    if (newKv) this.ctx.forward({ ...record, key: newKv.key, value: { n: newKv.value } });
  }
}

/**
 * KGroupedTable.aggregate/count/reduce with adder and subtractor. A row the selector mapped to a null
 * key belongs to no group: skipped and counted, neither added nor subtracted (as Kafka Streams).
 */
export class TableAggregateProcessor<K, V, VA> implements Processor<K, TableDelta<V>, K, Change<VA>> {
  private ctx!: ProcessorContext<K, Change<VA>>;
  private store!: KeyValueStore<K, VA>;
  constructor(
    private readonly storeName: string,
    private readonly initializer: () => VA,
    private readonly adder: (key: K, value: V, aggregate: VA) => VA,
    private readonly subtractor: (key: K, value: V, aggregate: VA) => VA,
  ) {}
  init(ctx: ProcessorContext<K, Change<VA>>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, VA>>(this.storeName);
  }
  process(record: StreamRecord<K, TableDelta<V>>): void {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    const old = this.store.get(record.key);
    let agg = old === undefined ? this.initializer() : old;
    if (record.value.o !== undefined) agg = this.subtractor(record.key, record.value.o, agg);
    if (record.value.n !== undefined) agg = this.adder(record.key, record.value.n, agg);
    this.store.put(record.key, agg);
    this.ctx.forward({ ...record, value: change(agg, old) });
  }
}
