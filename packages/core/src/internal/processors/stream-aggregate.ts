import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';
import { countSkipped, isNullish } from './skipped-records.js';

/**
 * groupByKey().aggregate/count/reduce: one KV store, forwards the table update as a Change. As in
 * Kafka Streams, a record with a null key or a null value is skipped (counted), never aggregated.
 */
export class StreamAggregateProcessor<K, V, VA> implements Processor<K, V, K, Change<VA>> {
  private ctx!: ProcessorContext<K, Change<VA>>;
  private store!: KeyValueStore<K, VA>;

  constructor(
    private readonly storeName: string,
    private readonly initializer: () => VA,
    private readonly aggregator: (key: K, value: V, aggregate: VA) => VA,
  ) {}

  init(ctx: ProcessorContext<K, Change<VA>>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, VA>>(this.storeName);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    if (isNullish(record.value)) {
      countSkipped(this.ctx, 'nullValue');
      return;
    }
    const old = this.store.get(record.key);
    const next = this.aggregator(record.key, record.value, old === undefined ? this.initializer() : old);
    this.store.put(record.key, next);
    this.ctx.forward({ ...record, value: change(next, old) });
  }
}
