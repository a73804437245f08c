import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';

/** A cogroup input's value on its way into the shared aggregate: which input, and the value. */
export interface Tagged<V> {
  readonly input: number;
  readonly value: V;
}

/**
 * One cogrouped stream's entry into the shared aggregation: tags each value with the input's index
 * so one processor (one store, one stream time) applies that input's aggregator. Skips what Kafka
 * Streams' per-input aggregators skip: null keys always, null values for plain (unwindowed) aggregates.
 */
export class CogroupTagProcessor<K, V> implements Processor<K, V, K, Tagged<V>> {
  private ctx!: ProcessorContext<K, Tagged<V>>;
  /** Records skipped for a null key or value, as Kafka Streams' dropped-records sensor. */
  skipped = 0;

  constructor(
    private readonly input: number,
    private readonly skipNullValues: boolean,
  ) {}

  init(ctx: ProcessorContext<K, Tagged<V>>): void {
    this.ctx = ctx;
  }

  process(record: StreamRecord<K, V>): void {
    const nullValue = record.value === null || record.value === undefined;
    if (record.key === null || record.key === undefined || (nullValue && this.skipNullValues)) {
      this.skipped += 1;
      return;
    }
    this.ctx.forward({ ...record, value: { input: this.input, value: record.value } });
  }
}
