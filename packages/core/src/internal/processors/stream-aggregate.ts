import { type Change, change } from '../../change.js';
import { TributaryError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';

/** groupByKey().aggregate/count/reduce: one KV store, forwards the table update as a Change. */
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
    if (record.key === null || record.key === undefined) {
      throw new TributaryError('PROCESSING_FAILED', `aggregation ${this.storeName}: record has a null key`);
    }
    if (record.value === null || record.value === undefined) {
      throw new TributaryError('PROCESSING_FAILED', `aggregation ${this.storeName}: record has a null value`);
    }
    const old = this.store.get(record.key);
    const next = this.aggregator(record.key, record.value, old === undefined ? this.initializer() : old);
    this.store.put(record.key, next);
    this.ctx.forward({ ...record, value: change(next, old) });
  }
}
