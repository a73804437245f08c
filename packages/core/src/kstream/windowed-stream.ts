import type { GraphNode } from '../internal/graph/nodes.js';
import type { ValueGetterFactory } from '../internal/processors/join.js';
import { PassThroughProcessor } from '../internal/processors/stateless.js';
import { WindowAggregateProcessor } from '../internal/processors/window-aggregate.js';
import type { WindowedProcessorSpec } from '../internal/processors/windowed-spec.js';
import type { Processor, ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { StoreDefinition, WindowStore } from '../state/store.js';
import type { Windowed } from '../windowed.js';
import { addProcessor, aggregateStore, type DslContext, requireName } from './dsl-context.js';
import type { KGroupedStream } from './grouped-stream.js';
import { internalSerde, windowedJsonSerde } from './internal-serdes.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import type { WindowedStoreOptions } from './options.js';
import { WindowedAggregations } from './windowed-aggregations.js';
import type { TimeWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** A grouped stream cut into time windows; aggregates are kept per key and window. */
export class TimeWindowedKStream<K, V> extends WindowedAggregations<K, V> {
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows,
  ) {
    super();
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    opts: WindowedStoreOptions<VA>,
  ): WindowedKTable<K, VA> {
    return addWindowedAggregate(
      this.grouped,
      requireName(opts.name, 'windowed aggregate'),
      opts,
      { kind: 'window', windowSizeMs: this.windows.sizeMs, retentionMs: this.windows.retentionMs() },
      { prefix: 'windowAggregate', operator: 'window-aggregate', suffix: 'window-aggregate' },
      (spec) =>
        new WindowAggregateProcessor<K, V, VA>({
          ...spec,
          windows: this.windows,
          initializer,
          aggregator,
        }),
      (store) => (pctx) => {
        const ws = pctx.getStateStore<WindowStore<K, VA>>(store);
        return (w) => ws.fetch(w.key, w.window.start);
      },
    );
  }
}

/** Result of a windowed aggregation: a table keyed by (key, window), plus its late records. */
export class WindowedKTable<K, V> extends KTable<Windowed<K>, V> {
  constructor(
    ctx: DslContext,
    node: GraphNode,
    storeName: string,
    valueSerde: Serde<V> | undefined,
    sourceNodes: readonly string[],
    private readonly lateNode: GraphNode,
    private readonly input: KStream<K, unknown>,
    getter: ValueGetterFactory<Windowed<K>, V>,
  ) {
    super(ctx, node, [storeName], getter, windowedJsonSerde<K>(), valueSerde, sourceNodes);
  }

  /**
   * Records that arrived after their window closed (stream time past end + grace). They are never
   * dropped silently: route them, e.g. `.lateRecords().to('my-dlq')`; unrouted ones are counted and logged.
   */
  lateRecords(): KStream<K, unknown> {
    return new KStream<K, unknown>(this.ctx, { ...this.input.shape, node: this.lateNode });
  }
}

/**
 * Adds a windowed aggregation (time, session or sliding windows): its store and meta store, the
 * processor, and its results and late-records children. `store.valueSerde`, when given, replaces the
 * store's value serde (the results keep `opts.valueSerde`).
 */
export function addWindowedAggregate<K, V, VA>(
  grouped: KGroupedStream<K, V>,
  name: string,
  opts: WindowedStoreOptions<VA>,
  store: Pick<StoreDefinition, 'kind' | 'windowSizeMs' | 'retentionMs'> &
    Partial<Pick<StoreDefinition, 'valueSerde'>>,
  names: { prefix: string; operator: string; suffix: string },
  processor: (spec: WindowedProcessorSpec) => Processor<K, V, Windowed<K>, unknown>,
  getter: (storeName: string) => ValueGetterFactory<Windowed<K>, VA>,
): WindowedKTable<K, VA> {
  const input = grouped.input(name);
  const ctx = input.ctx;
  const keySerde = grouped.keySerde ?? input.shape.keySerde ?? internalSerde<K>();
  const metaStore = `${name}-meta`;
  ctx.graph.addStore({ ...aggregateStore(name, keySerde as Serde<unknown>, opts), ...store });
  ctx.graph.addStore({
    name: metaStore,
    kind: 'key-value',
    keySerde: Serdes.string() as Serde<unknown>,
    valueSerde: internalSerde<number>() as Serde<unknown>,
    logging: opts.logging ?? true,
    caching: true,
  });
  const lateChild = `${name}-late`;
  const resultChild = `${name}-results`;
  const node = addProcessor(
    ctx,
    {
      name: `${name}-${names.suffix}`,
      prefix: names.prefix,
      operator: names.operator,
      stores: [name, metaStore],
    },
    () =>
      processor({
        storeName: name,
        metaStoreName: metaStore,
        emit: opts.emit ?? 'final',
        idleTimeoutMs: opts.idleTimeoutMs,
        lateChild,
        resultChild,
      }) as unknown as ReturnType<AnySupplier>,
    [input.shape.node],
  );
  const results = addProcessor(
    ctx,
    { name: resultChild, prefix: 'results', operator: 'window-results' },
    () => new PassThroughProcessor(),
    [node],
  );
  const late = addProcessor(
    ctx,
    { name: lateChild, prefix: 'late', operator: 'late-records' },
    () => new PassThroughProcessor(),
    [node],
  );
  return new WindowedKTable<K, VA>(
    ctx,
    results,
    name,
    opts.valueSerde,
    input.shape.sourceNodes,
    late,
    input,
    getter(name),
  );
}
