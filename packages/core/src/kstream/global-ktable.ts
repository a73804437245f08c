import type { ValueGetterFactory } from '../internal/processors/join.js';
import type { KeyValueStore } from '../state/store.js';

/**
 * A table replicated in full to every instance: all partitions of its topic are read before
 * processing starts and kept up to date while running. Joins look it up by a mapped key, so the
 * stream needs no repartitioning and no co-partitioning.
 */
export class GlobalKTable<K, V> {
  constructor(
    readonly storeName: string,
    readonly topic: string,
  ) {}

  readonly valueGetter: ValueGetterFactory<K, V> = (ctx) => {
    const store = ctx.getStateStore<KeyValueStore<K, V>>(this.storeName);
    return (key) => store.get(key);
  };
}
