import { TributaryError } from '../errors.js';
import type { ValueGetterFactory } from '../internal/processors/join.js';
import { type BufferedRecord, bufferedPrior, SuppressProcessor } from '../internal/processors/suppress.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore } from '../state/store.js';
import { addProcessor, requireName } from './dsl-context.js';
import { internalSerde } from './internal-serdes.js';
import { KTable } from './ktable.js';
import type { Suppressed } from './suppressed.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** What a windowed table tells suppress: how long after a window's end it closes. */
export interface WindowClose {
  readonly durationMs: number;
}

/**
 * Adds the suppress processor and its buffer store `<name>-store` after `table`. `windowClose` is
 * given only by windowed aggregation tables; without it `untilWindowCloses` has no window to wait for.
 */
export function suppressTable<K, V>(
  table: KTable<K, V>,
  suppressed: Suppressed,
  windowClose: WindowClose | undefined,
): KTable<K, V> {
  const name = requireName(suppressed.name, 'suppress (Suppressed.withName)');
  const finalResults = suppressed.kind === 'window-close';
  if (finalResults && !windowClose) {
    throw new TributaryError(
      'TOPOLOGY_INVALID',
      `suppress ${name}: untilWindowCloses needs the table of a windowed aggregation (call it on that table directly)`,
    );
  }
  const storeName = `${name}-store`;
  const keySerde = table.keySerde ?? internalSerde<K>();
  const valueSerde = table.valueSerde ?? internalSerde<V>();
  table.ctx.graph.addStore({
    name: storeName,
    kind: 'key-value',
    keySerde: keySerde as Serde<unknown>,
    valueSerde: internalSerde<BufferedRecord>() as Serde<unknown>,
    logging: suppressed.buffer.logging,
    caching: true,
  });
  const { maxRecords, maxBytes, whenFull } = suppressed.buffer;
  const node = addProcessor(
    table.ctx,
    { name, prefix: 'suppress', operator: 'suppress', stores: [storeName] },
    () =>
      new SuppressProcessor<K, V>({
        name,
        storeName,
        bufferTime: finalResults ? 'window-end' : 'record',
        durationMs: finalResults ? (windowClose as WindowClose).durationMs : suppressed.timeLimitMs,
        maxRecords,
        maxBytes,
        whenFull,
        dropTombstones: finalResults,
        maxTimestamp: windowClose !== undefined,
        keySerde,
        valueSerde,
      }) as unknown as ReturnType<AnySupplier>,
    [table.node],
  );
  const parent = table.valueGetter;
  // While a key is buffered the suppressed table still holds its value from before (Kafka Streams' view).
  const getter: ValueGetterFactory<K, V> = (pctx) => {
    const buffer = pctx.getStateStore<KeyValueStore<K, BufferedRecord>>(storeName);
    const get = parent(pctx);
    return (key) => {
      const e = buffer.get(key);
      return e === undefined ? get(key) : bufferedPrior(e, valueSerde, storeName);
    };
  };
  return new KTable(
    table.ctx,
    node,
    [storeName, ...table.storeNames],
    getter,
    table.keySerde,
    table.valueSerde,
    table.sourceNodes,
  );
}
