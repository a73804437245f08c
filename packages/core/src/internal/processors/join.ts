import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import { countSkipped, isNullish } from './skipped-records.js';

/** Reads a table's current value for a key (a source table's store, or a derived table's view of it). */
export type ValueGetter<K, V> = (key: K) => V | undefined;
export type ValueGetterFactory<K, V> = (ctx: ProcessorContext) => ValueGetter<K, V>;

/**
 * KStream-KTable join (and KStream-GlobalKTable with a key mapper): each stream record looks up the
 * table's current value. Table updates do not trigger output. Inner joins drop misses (that is the
 * join's meaning, not data loss); left joins call the joiner with `undefined`. As in Kafka Streams, a
 * stream record with a null value is skipped (counted) by every variant, and a null table key (a
 * null record key, or a key mapper returning null) is skipped by inner joins and a miss for left
 * joins. A global-table join reads only the mapped key, so a null record key does not matter there.
 */
export class StreamTableJoinProcessor<K, V, TK, TV, VR> implements Processor<K, V, K, VR> {
  private ctx!: ProcessorContext<K, VR>;
  private lookup!: ValueGetter<TK, TV>;

  constructor(
    private readonly getter: ValueGetterFactory<TK, TV>,
    private readonly keyMapper: (key: K, value: V) => TK,
    private readonly joiner: (value: V, tableValue: TV | undefined, key: K) => VR,
    private readonly left: boolean,
  ) {}

  init(ctx: ProcessorContext<K, VR>): void {
    this.ctx = ctx;
    this.lookup = this.getter(ctx as ProcessorContext);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.value)) {
      countSkipped(this.ctx as ProcessorContext, 'nullValue');
      return;
    }
    const tableKey = this.keyMapper(record.key, record.value);
    if (isNullish(tableKey) && !this.left) {
      countSkipped(this.ctx as ProcessorContext, 'nullKey');
      return;
    }
    const tableValue = isNullish(tableKey) ? undefined : this.lookup(tableKey);
    if (tableValue === undefined && !this.left) return;
    this.ctx.forward({ ...record, value: this.joiner(record.value, tableValue, record.key) });
  }
}
