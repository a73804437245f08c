import { StreamAggregateProcessor } from '../internal/processors/stream-aggregate.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import { CogroupedKStream } from './cogrouped-stream.js';
import { addProcessor, aggregateStore, requireName } from './dsl-context.js';
import { internalSerde } from './internal-serdes.js';
import type { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import type { StoreOptions } from './options.js';
import { SessionWindowedKStream } from './session-windowed-stream.js';
import { SessionWindows } from './session-windows.js';
import { SlidingWindowedKStream } from './sliding-windowed-stream.js';
import { SlidingWindows } from './sliding-windows.js';
import { TimeWindowedKStream } from './windowed-stream.js';
import type { TimeWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** A stream grouped by key, ready for count/reduce/aggregate (per key, or per key and window). */
export class KGroupedStream<K, V> {
  constructor(
    readonly stream: KStream<K, V>,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {}

  /** The stream to aggregate, repartitioned through `<app>-<name>-repartition` after a key change. */
  input(name: string): KStream<K, V> {
    return this.stream.repartitionIfRequired(name, this.keySerde, this.valueSerde);
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    opts: StoreOptions<VA>,
  ): KTable<K, VA> {
    const name = requireName(opts.name, 'aggregate');
    const input = this.input(name);
    const ctx = this.stream.ctx;
    const keySerde = this.keySerde ?? input.shape.keySerde;
    ctx.graph.addStore(aggregateStore(name, (keySerde ?? internalSerde<K>()) as Serde<unknown>, opts));
    const node = addProcessor(
      ctx,
      { name: `${name}-aggregate`, prefix: 'aggregate', operator: 'aggregate', stores: [name] },
      () => new StreamAggregateProcessor(name, initializer, aggregator) as unknown as ReturnType<AnySupplier>,
      [input.shape.node],
    );
    return KTable.materialized(ctx, node, name, keySerde, opts.valueSerde, input.shape.sourceNodes);
  }

  count(opts: StoreOptions<number>): KTable<K, number> {
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      opts,
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, opts: StoreOptions<V>): KTable<K, V> {
    // The first value of a key is its own aggregate: the initializer's undefined marks "none yet".
    return this.aggregate<V>(
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)),
      opts,
    );
  }

  /**
   * Starts a cogroup (Kafka Streams' cogroup): this stream with its aggregator; add more grouped
   * streams with `.cogroup(other, aggregator)`, then `aggregate` (optionally `windowedBy` first).
   */
  cogroup<VA>(aggregator: (key: K, value: V, aggregate: VA) => VA): CogroupedKStream<K, VA> {
    return new CogroupedKStream<K, VA>([
      {
        grouped: this as KGroupedStream<K, unknown>,
        aggregator: aggregator as (key: K, value: unknown, aggregate: VA) => VA,
      },
    ]);
  }

  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: SlidingWindows): SlidingWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SessionWindows | SlidingWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> | SlidingWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, windows);
    if (windows instanceof SlidingWindows) return new SlidingWindowedKStream(this, windows);
    return new TimeWindowedKStream(this, windows);
  }
}
