import { TributaryError } from '../errors.js';
import type { GraphNode } from '../internal/graph/nodes.js';
import type { ValueGetterFactory } from '../internal/processors/join.js';
import { PassThroughProcessor, TransformProcessor } from '../internal/processors/stateless.js';
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
import { suppressTable } from './suppress-table.js';
import type { Suppressed } from './suppressed.js';
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
      {
        kind: 'window',
        windowSizeMs: this.windows.sizeMs,
        retentionMs: this.windows.retentionMs(),
        // Each window keeps its largest record timestamp, to stamp its results (as Kafka Streams).
        timestamped: true,
      },
      this.windows.graceMs,
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
    private readonly emitMode: EmitMode,
    /** How long after a window's end it closes: grace (session windows: gap + grace). */
    private readonly closeAfterMs: number,
  ) {
    super(ctx, node, [storeName], getter, windowedJsonSerde<K>(), valueSerde, sourceNodes);
  }

  /**
   * The same table with its late records' values mapped (a windowed cogroup untags them). The new
   * node is the late route now: left unrouted, it is the one that counts and logs them.
   */
  withLateValues(mapper: (value: unknown) => unknown): WindowedKTable<K, V> {
    const late = addProcessor(
      this.ctx,
      { prefix: 'late', operator: 'late-records' },
      () => new TransformProcessor((r) => ({ ...r, value: mapper(r.value) })),
      [this.lateNode],
    );
    return new WindowedKTable(
      this.ctx,
      this.node,
      this.storeNames[0] as string,
      this.valueSerde,
      this.sourceNodes,
      late,
      this.input,
      this.valueGetter,
      this.emitMode,
      this.closeAfterMs,
    );
  }

  /**
   * Kafka Streams' suppress on a windowed table; `untilWindowCloses` emits each window once when stream
   * time reaches end + grace. The aggregation then emits every update into the buffer, so it must not
   * be built with an explicit `emit: 'final'` (the short form of the same thing).
   */
  override suppress(suppressed: Suppressed): KTable<Windowed<K>, V> {
    this.emitMode.feedSuppress(suppressed.name);
    return suppressTable(this, suppressed, { durationMs: this.closeAfterMs });
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
 * A windowed aggregation's emit mode, read when its tasks are built: a suppress downstream turns the
 * default 'final' into 'update', because the suppress buffer then decides what is final.
 */
export class EmitMode {
  private suppressed = false;
  constructor(private readonly requested: 'final' | 'update' | undefined) {}

  feedSuppress(name: string | undefined): void {
    if (this.requested === 'final') {
      throw new TributaryError(
        'TOPOLOGY_INVALID',
        `suppress ${name ?? ''}: the windowed aggregation has emit: 'final' (already final results); drop one of the two`,
      );
    }
    this.suppressed = true;
  }

  get value(): 'final' | 'update' {
    return this.suppressed ? 'update' : (this.requested ?? 'final');
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
    Partial<Pick<StoreDefinition, 'valueSerde' | 'timestamped'>>,
  closeAfterMs: number,
  names: { prefix: string; operator: string; suffix: string },
  processor: (spec: WindowedProcessorSpec) => Processor<K, V, Windowed<K>, unknown>,
  getter: (storeName: string) => ValueGetterFactory<Windowed<K>, VA>,
): WindowedKTable<K, VA> {
  const input = grouped.input(name);
  const ctx = input.ctx;
  const keySerde = grouped.keySerde ?? input.shape.keySerde ?? internalSerde<K>();
  const metaStore = `${name}-meta`;
  const emitMode = new EmitMode(opts.emit);
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
        keySerde: keySerde as Serde<unknown>,
        metaStoreName: metaStore,
        emit: emitMode.value,
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
    emitMode,
    closeAfterMs,
  );
}
