import type { Serde } from '../serde/serde.js';
import type { StoreDefinition } from '../state/store.js';
import { internalSerde } from './internal-serdes.js';

/** Store definitions for the Processor API (`builder.addStateStore(...)` + `stream.process(..., {stores})`). */
export const Stores = {
  keyValue<K, V>(opts: {
    name: string;
    keySerde?: Serde<K>;
    valueSerde?: Serde<V>;
    logging?: boolean;
    caching?: boolean;
  }): StoreDefinition<K, V> {
    return {
      name: opts.name,
      kind: 'key-value',
      keySerde: opts.keySerde ?? internalSerde<K>(),
      valueSerde: opts.valueSerde ?? internalSerde<V>(),
      logging: opts.logging ?? true,
      caching: opts.caching ?? true,
    };
  },

  window<K, V>(opts: {
    name: string;
    windowSizeMs: number;
    retentionMs: number;
    keySerde?: Serde<K>;
    valueSerde?: Serde<V>;
    logging?: boolean;
    caching?: boolean;
  }): StoreDefinition<K, V> {
    return {
      name: opts.name,
      kind: 'window',
      keySerde: opts.keySerde ?? internalSerde<K>(),
      valueSerde: opts.valueSerde ?? internalSerde<V>(),
      logging: opts.logging ?? true,
      caching: opts.caching ?? true,
      windowSizeMs: opts.windowSizeMs,
      retentionMs: opts.retentionMs,
    };
  },
};
