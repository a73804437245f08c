import type { GraphNode, TopicExtractor } from '../internal/graph/nodes.js';
import { PassThroughProcessor, TransformProcessor } from '../internal/processors/stateless.js';
import { TableSourceProcessor } from '../internal/processors/table-source.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { KeyValue, StreamRecord } from '../record.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { Sink } from '../sink/sink.js';
import { BranchedKStream } from './branched-stream.js';
import { addProcessor, addRepartition, type DslContext, requireName } from './dsl-context.js';
import type { GlobalKTable } from './global-ktable.js';
import { KGroupedStream } from './grouped-stream.js';
import { defaultKeySerde, internalSerde } from './internal-serdes.js';
import type { JoinWindows } from './join-windows.js';
import { joinGlobal, joinTable } from './joins.js';
import { KTable } from './ktable.js';
import type { GroupedOptions, NamedOptions, ProducedOptions, RepartitionOptions } from './options.js';
import { joinStream, type StreamJoinOptions } from './stream-joins.js';

type AnyRecord = StreamRecord<unknown, unknown>;

export interface StreamShape<K, V> {
  readonly node: GraphNode;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** True after an operation that may have changed the key (map, selectKey, flatMap). */
  readonly repartitionRequired: boolean;
  /** Source nodes feeding this stream, for co-partitioning checks of joins. */
  readonly sourceNodes: readonly string[];
}

export interface JoinOptions {
  /** Names the join node; needed when the stream must be repartitioned first (names that topic). */
  name?: string;
}

/** An unbounded stream of records. Every method adds a node to the graph and returns a new stream. */
export class KStream<K, V> {
  constructor(
    readonly ctx: DslContext,
    readonly shape: StreamShape<K, V>,
  ) {}

  private derive<K2, V2>(
    node: GraphNode,
    opts: { keyChanged: boolean; keySerde?: Serde<K2> | undefined; valueSerde?: Serde<V2> | undefined },
  ): KStream<K2, V2> {
    return new KStream<K2, V2>(this.ctx, {
      node,
      keySerde: opts.keySerde,
      valueSerde: opts.valueSerde,
      repartitionRequired: this.shape.repartitionRequired || opts.keyChanged,
      sourceNodes: this.shape.sourceNodes,
    });
  }

  private transform(
    prefix: string,
    fn: (r: StreamRecord<K, V>) => AnyRecord | Iterable<AnyRecord> | undefined,
    name: string | undefined,
  ): GraphNode {
    const f = fn as (r: AnyRecord) => AnyRecord | Iterable<AnyRecord> | undefined;
    return addProcessor(this.ctx, { name, prefix, operator: prefix }, () => new TransformProcessor(f), [
      this.shape.node,
    ]);
  }

  filter(predicate: (key: K, value: V) => boolean, opts: NamedOptions = {}): KStream<K, V> {
    const node = this.transform('filter', (r) => (predicate(r.key, r.value) ? r : undefined), opts.name);
    return this.derive(node, {
      keyChanged: false,
      keySerde: this.shape.keySerde,
      valueSerde: this.shape.valueSerde,
    });
  }

  filterNot(predicate: (key: K, value: V) => boolean, opts: NamedOptions = {}): KStream<K, V> {
    return this.filter((k, v) => !predicate(k, v), opts);
  }

  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, opts: NamedOptions = {}): KStream<K2, V2> {
    const node = this.transform(
      'map',
      (r) => {
        const kv = mapper(r.key, r.value);
        return { ...r, key: kv.key, value: kv.value };
      },
      opts.name,
    );
    return this.derive(node, { keyChanged: true });
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, opts: NamedOptions = {}): KStream<K, V2> {
    const node = this.transform('mapValues', (r) => ({ ...r, value: mapper(r.value, r.key) }), opts.name);
    return this.derive(node, { keyChanged: false, keySerde: this.shape.keySerde });
  }

  flatMap<K2, V2>(
    mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>,
    opts: NamedOptions = {},
  ): KStream<K2, V2> {
    const node = this.transform(
      'flatMap',
      (r) => Array.from(mapper(r.key, r.value), (kv) => ({ ...r, key: kv.key, value: kv.value })),
      opts.name,
    );
    return this.derive(node, { keyChanged: true });
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, opts: NamedOptions = {}): KStream<K, V2> {
    const node = this.transform(
      'flatMapValues',
      (r) => Array.from(mapper(r.value, r.key), (v) => ({ ...r, value: v })),
      opts.name,
    );
    return this.derive(node, { keyChanged: false, keySerde: this.shape.keySerde });
  }

  selectKey<K2>(selector: (key: K, value: V) => K2, opts: NamedOptions = {}): KStream<K2, V> {
    const node = this.transform('selectKey', (r) => ({ ...r, key: selector(r.key, r.value) }), opts.name);
    return this.derive(node, { keyChanged: true, valueSerde: this.shape.valueSerde });
  }

  peek(action: (key: K, value: V) => void, opts: NamedOptions = {}): KStream<K, V> {
    const node = this.transform(
      'peek',
      (r) => {
        action(r.key, r.value);
        return r;
      },
      opts.name,
    );
    return this.derive(node, {
      keyChanged: false,
      keySerde: this.shape.keySerde,
      valueSerde: this.shape.valueSerde,
    });
  }

  /** Terminal: calls `action` for every record. */
  foreach(action: (key: K, value: V) => void, opts: NamedOptions = {}): void {
    this.transform(
      'foreach',
      (r) => {
        action(r.key, r.value);
        return undefined;
      },
      opts.name,
    );
  }

  /** Routes each record to the first branch whose predicate matches. */
  split(opts: NamedOptions = {}): BranchedKStream<K, V> {
    return new BranchedKStream(this, opts.name ?? this.ctx.graph.nextName('split'));
  }

  merge(other: KStream<K, V>, opts: NamedOptions = {}): KStream<K, V> {
    const node = addProcessor(
      this.ctx,
      { name: opts.name, prefix: 'merge', operator: 'merge' },
      () => new PassThroughProcessor(),
      [this.shape.node, other.shape.node],
    );
    return new KStream<K, V>(this.ctx, {
      node,
      keySerde: this.shape.keySerde,
      valueSerde: this.shape.valueSerde,
      repartitionRequired: this.shape.repartitionRequired || other.shape.repartitionRequired,
      sourceNodes: [...this.shape.sourceNodes, ...other.shape.sourceNodes],
    });
  }

  /** Writes to a topic, or to the topic an extractor picks per record. */
  to(topic: string | ((key: K, value: V) => string), opts: ProducedOptions<K, V> = {}): void {
    const keySerde = (opts.keySerde ?? this.shape.keySerde ?? defaultKeySerde<K>()) as Serde<unknown>;
    const valueSerde = (opts.valueSerde ?? this.shape.valueSerde ?? Serdes.json<V>()) as Serde<unknown>;
    this.ctx.graph.add(
      {
        kind: 'sink',
        name: opts.name ?? this.ctx.graph.nextName('to'),
        topic: typeof topic === 'string' ? { kind: 'user', name: topic } : (topic as TopicExtractor),
        keySerde,
        valueSerde,
        children: [],
        parents: [],
      },
      [this.shape.node],
    );
  }

  /** Terminal: hands records to a sink outside Kafka (Parquet, CSV, console) that takes part in commits. */
  sink(sink: Sink<K, V>, opts: NamedOptions = {}): void {
    this.ctx.graph.add(
      {
        kind: 'external-sink',
        name: opts.name ?? `${sink.name}-sink`,
        sink: sink as Sink<unknown, unknown>,
        children: [],
        parents: [],
      },
      [this.shape.node],
    );
  }

  /** Redistributes records by their current key through `<applicationId>-<name>-repartition`. */
  repartition(opts: RepartitionOptions<K, V>): KStream<K, V> {
    const keySerde = opts.keySerde ?? this.shape.keySerde ?? internalSerde<K>();
    const valueSerde = opts.valueSerde ?? this.shape.valueSerde ?? internalSerde<V>();
    const source = addRepartition(
      this.ctx,
      this.shape.node,
      opts.name,
      keySerde as Serde<unknown>,
      valueSerde as Serde<unknown>,
      opts.numberOfPartitions,
    );
    // Only serdes the user chose travel on; internal defaults stay internal to the topic.
    return new KStream<K, V>(this.ctx, {
      node: source,
      keySerde: opts.keySerde ?? this.shape.keySerde,
      valueSerde: opts.valueSerde ?? this.shape.valueSerde,
      repartitionRequired: false,
      sourceNodes: [source.name],
    });
  }

  /** Repartitions only if a key-changing operation came before (as Kafka Streams does). */
  repartitionIfRequired(name: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): KStream<K, V> {
    if (!this.shape.repartitionRequired) return this;
    const opts: RepartitionOptions<K, V> = { name };
    const ks = keySerde ?? this.shape.keySerde;
    const vs = valueSerde ?? this.shape.valueSerde;
    if (ks) opts.keySerde = ks;
    if (vs) opts.valueSerde = vs;
    return this.repartition(opts);
  }

  /** Custom processor (Processor API) with access to the named stores. */
  process<K2, V2>(
    supplier: ProcessorSupplier<K, V, K2, V2>,
    opts: { name: string; stores?: readonly string[] },
  ): KStream<K2, V2> {
    const node = addProcessor(
      this.ctx,
      { name: opts.name, prefix: 'process', operator: 'process', stores: opts.stores ?? [] },
      supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      [this.shape.node],
    );
    return this.derive(node, { keyChanged: true });
  }

  /** Turns the stream into a table: the latest value per key, materialized in store `name`. */
  toTable(opts: { name: string; keySerde?: Serde<K>; valueSerde?: Serde<V> }): KTable<K, V> {
    const name = requireName(opts.name, 'toTable');
    const stream = this.repartitionIfRequired(`${name}`, opts.keySerde, opts.valueSerde);
    const keySerde = opts.keySerde ?? stream.shape.keySerde;
    this.ctx.graph.addStore({
      name,
      kind: 'key-value',
      keySerde: (keySerde ?? internalSerde<K>()) as Serde<unknown>,
      valueSerde: (opts.valueSerde ?? internalSerde<V>()) as Serde<unknown>,
      logging: true,
      caching: true,
    });
    const node = addProcessor(
      this.ctx,
      { name: `${name}-to-table`, prefix: 'toTable', operator: 'to-table', stores: [name] },
      () => new TableSourceProcessor(name),
      [stream.shape.node],
    );
    return KTable.materialized<K, V>(
      this.ctx,
      node,
      name,
      keySerde,
      opts.valueSerde,
      stream.shape.sourceNodes,
    );
  }

  groupByKey(opts: GroupedOptions<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(
      this,
      opts.keySerde ?? this.shape.keySerde,
      opts.valueSerde ?? this.shape.valueSerde,
    );
  }

  groupBy<K2>(selector: (key: K, value: V) => K2, opts: GroupedOptions<K2, V> = {}): KGroupedStream<K2, V> {
    return this.selectKey(selector).groupByKey(opts);
  }

  /** Inner join with a co-partitioned table: records whose key is not in the table are dropped. */
  join<TV, VR>(
    table: KTable<K, TV>,
    joiner: (value: V, tableValue: TV, key: K) => VR,
    opts?: JoinOptions,
  ): KStream<K, VR>;
  /**
   * Windowed inner join with a co-partitioned stream: every pair of records with the same key whose
   * timestamps are within the windows, stamped with the larger timestamp (see docs/joins.md).
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    opts: StreamJoinOptions<K, V, VO>,
  ): KStream<K, VR>;
  join<T, VR>(
    other: KTable<K, T> | KStream<K, T>,
    joiner: (value: V, other: T, key: K) => VR,
    windowsOrOpts?: JoinWindows | JoinOptions,
    opts?: StreamJoinOptions<K, V, T>,
  ): KStream<K, VR> {
    return this.joinWith(other, joiner as (v: V, o: T | undefined, k: K) => VR, windowsOrOpts, opts, false);
  }

  /** Left join with a co-partitioned table: misses reach the joiner as `undefined`. */
  leftJoin<TV, VR>(
    table: KTable<K, TV>,
    joiner: (value: V, tableValue: TV | undefined, key: K) => VR,
    opts?: JoinOptions,
  ): KStream<K, VR>;
  /**
   * Windowed left join with a co-partitioned stream: like `join`, and a record of this stream that
   * found no partner reaches the joiner with `undefined`, once, when its window closes.
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | undefined, key: K) => VR,
    windows: JoinWindows,
    opts: StreamJoinOptions<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<T, VR>(
    other: KTable<K, T> | KStream<K, T>,
    joiner: (value: V, other: T | undefined, key: K) => VR,
    windowsOrOpts?: JoinWindows | JoinOptions,
    opts?: StreamJoinOptions<K, V, T>,
  ): KStream<K, VR> {
    return this.joinWith(other, joiner, windowsOrOpts, opts, true);
  }

  /** Both join overloads: a table join, or a windowed stream-stream join when `other` is a stream. */
  private joinWith<T, VR>(
    other: KTable<K, T> | KStream<K, T>,
    joiner: (value: V, other: T | undefined, key: K) => VR,
    windowsOrOpts: JoinWindows | JoinOptions | undefined,
    opts: StreamJoinOptions<K, V, T> | undefined,
    left: boolean,
  ): KStream<K, VR> {
    if (other instanceof KStream) {
      const j = joiner as (v: V | undefined, o: T | undefined, k: K) => VR;
      const kind = left ? 'left' : 'inner';
      return joinStream(
        this,
        other,
        j,
        windowsOrOpts as JoinWindows,
        kind,
        opts as StreamJoinOptions<K, V, T>,
      );
    }
    return joinTable(this, other, joiner, left, (windowsOrOpts as JoinOptions | undefined) ?? {});
  }

  /**
   * Windowed outer join with a co-partitioned stream: like `leftJoin`, for both sides; an unmatched
   * record of either side reaches the joiner with the other side `undefined`.
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | undefined, otherValue: VO | undefined, key: K) => VR,
    windows: JoinWindows,
    opts: StreamJoinOptions<K, V, VO>,
  ): KStream<K, VR> {
    return joinStream(this, other, joiner, windows, 'outer', opts);
  }

  /** Inner join with a global table; `keyMapper` picks the table key from each record. */
  joinGlobal<GK, GV, VR>(
    table: GlobalKTable<GK, GV>,
    keyMapper: (key: K, value: V) => GK,
    joiner: (value: V, tableValue: GV, key: K) => VR,
    opts: NamedOptions = {},
  ): KStream<K, VR> {
    return joinGlobal(this, table, keyMapper, joiner as (v: V, tv: GV | undefined, k: K) => VR, false, opts);
  }

  leftJoinGlobal<GK, GV, VR>(
    table: GlobalKTable<GK, GV>,
    keyMapper: (key: K, value: V) => GK,
    joiner: (value: V, tableValue: GV | undefined, key: K) => VR,
    opts: NamedOptions = {},
  ): KStream<K, VR> {
    return joinGlobal(this, table, keyMapper, joiner, true, opts);
  }
}
