import type { WindowedStoreOptions } from './options.js';
import type { WindowedKTable } from './windowed-stream.js';

/**
 * `count` and `reduce` of the windowed streams whose `aggregate` needs no merger (time and sliding
 * windows), written once in terms of that `aggregate`.
 */
export abstract class WindowedAggregations<K, V> {
  abstract aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    opts: WindowedStoreOptions<VA>,
  ): WindowedKTable<K, VA>;

  count(opts: WindowedStoreOptions<number>): WindowedKTable<K, number> {
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      opts,
    );
  }

  /** A window's first value is its aggregate; later values go to `reducer`. */
  reduce(reducer: (aggregate: V, value: V) => V, opts: WindowedStoreOptions<V>): WindowedKTable<K, V> {
    return this.aggregate<V>(
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)),
      opts,
    );
  }
}
