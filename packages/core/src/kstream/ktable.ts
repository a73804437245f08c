import type { GraphNode } from '../internal/graph/nodes.js';
import type { ValueGetterFactory } from '../internal/processors/join.js';
import {
  TableFilterProcessor,
  TableMapValuesProcessor,
  TableToStreamProcessor,
} from '../internal/processors/table-ops.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore } from '../state/store.js';
import { addProcessor, type DslContext } from './dsl-context.js';
import type { ForeignKeyJoinOptions } from './foreign-key-joins.js';
import { KGroupedTable } from './grouped-table.js';
import { KStream } from './kstream.js';
import type { GroupedOptions, NamedOptions } from './options.js';
import { suppressTable } from './suppress-table.js';
import type { Suppressed } from './suppressed.js';
import { joinTables, keyOrForeignKeyJoin, type TableJoinOptions } from './table-joins.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the join implementations take either overload's arguments
type AnyFn = (...args: any[]) => any;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyTable = KTable<any, any>;

/**
 * A changelog stream seen as a table: the latest value per key. Operators forward Change{new, old}
 * so that filters can retract rows and grouped aggregates can subtract old values.
 */
export class KTable<K, V> {
  constructor(
    readonly ctx: DslContext,
    readonly node: GraphNode,
    /** Materialized stores the value getter reads (joins connect to them). */
    readonly storeNames: readonly string[],
    readonly valueGetter: ValueGetterFactory<K, V>,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly sourceNodes: readonly string[],
  ) {}

  static materialized<K, V>(
    ctx: DslContext,
    node: GraphNode,
    storeName: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    sourceNodes: readonly string[],
  ): KTable<K, V> {
    const getter: ValueGetterFactory<K, V> = (pctx) => {
      const store = pctx.getStateStore<KeyValueStore<K, V>>(storeName);
      return (key) => store.get(key);
    };
    return new KTable(ctx, node, [storeName], getter, keySerde, valueSerde, sourceNodes);
  }

  filter(predicate: (key: K, value: V) => boolean, opts: NamedOptions = {}): KTable<K, V> {
    const node = addProcessor(
      this.ctx,
      { name: opts.name, prefix: 'tableFilter', operator: 'table-filter' },
      () => new TableFilterProcessor(predicate) as unknown as ReturnType<AnySupplier>,
      [this.node],
    );
    const parent = this.valueGetter;
    const getter: ValueGetterFactory<K, V> = (pctx) => {
      const get = parent(pctx);
      return (key) => {
        const v = get(key);
        return v !== undefined && predicate(key, v) ? v : undefined;
      };
    };
    return new KTable(
      this.ctx,
      node,
      this.storeNames,
      getter,
      this.keySerde,
      this.valueSerde,
      this.sourceNodes,
    );
  }

  filterNot(predicate: (key: K, value: V) => boolean, opts: NamedOptions = {}): KTable<K, V> {
    return this.filter((k, v) => !predicate(k, v), opts);
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, opts: NamedOptions = {}): KTable<K, V2> {
    const node = addProcessor(
      this.ctx,
      { name: opts.name, prefix: 'tableMapValues', operator: 'table-map-values' },
      () => new TableMapValuesProcessor(mapper) as unknown as ReturnType<AnySupplier>,
      [this.node],
    );
    const parent = this.valueGetter;
    const getter: ValueGetterFactory<K, V2> = (pctx) => {
      const get = parent(pctx);
      return (key) => {
        const v = get(key);
        return v === undefined ? undefined : mapper(v, key);
      };
    };
    return new KTable(this.ctx, node, this.storeNames, getter, this.keySerde, undefined, this.sourceNodes);
  }

  /** The table's updates as a stream; deletions arrive as null values (tombstones). */
  toStream(opts: NamedOptions = {}): KStream<K, V> {
    const node = addProcessor(
      this.ctx,
      { name: opts.name, prefix: 'toStream', operator: 'to-stream' },
      () => new TableToStreamProcessor() as unknown as ReturnType<AnySupplier>,
      [this.node],
    );
    return new KStream<K, V>(this.ctx, {
      node,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      repartitionRequired: false,
      sourceNodes: this.sourceNodes,
    });
  }

  /**
   * Holds updates back per key in a changelogged buffer, as Kafka Streams' suppress:
   * `Suppressed.untilTimeLimit(ms, buffer)` here; `untilWindowCloses` on a windowed aggregation's table.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    return suppressTable(this, suppressed, undefined);
  }

  /** Re-keys rows for an aggregation; old values are subtracted from their old group. */
  groupBy<K2, V2>(
    selector: (key: K, value: V) => KeyValue<K2, V2>,
    opts: GroupedOptions<K2, V2> = {},
  ): KGroupedTable<K2, V2> {
    return new KGroupedTable<K2, V2>(
      this as unknown as KTable<unknown, unknown>,
      selector as (k: unknown, v: unknown) => KeyValue<K2, V2>,
      opts.keySerde,
      opts.valueSerde,
    );
  }

  /**
   * Inner join: on the key (`join(other, joiner, { name })`), or on a foreign key
   * (`join(other, foreignKeyExtractor, joiner, { name })`, KIP-213). See docs/joins.md.
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    opts: TableJoinOptions,
  ): KTable<K, VR>;
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null | undefined,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    opts: ForeignKeyJoinOptions<KO, VR>,
  ): KTable<K, VR>;
  join(
    other: AnyTable,
    a: AnyFn,
    b: AnyFn | TableJoinOptions,
    c?: ForeignKeyJoinOptions<unknown, unknown>,
  ): AnyTable {
    return keyOrForeignKeyJoin(this, other, a, b, c, 'inner');
  }

  /**
   * Left join: on the key, or on a foreign key; `otherValue` is undefined where the other table has
   * no row. See docs/joins.md.
   */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | undefined, key: K) => VR,
    opts: TableJoinOptions,
  ): KTable<K, VR>;
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null | undefined,
    joiner: (value: V, otherValue: VO | undefined, key: K) => VR,
    opts: ForeignKeyJoinOptions<KO, VR>,
  ): KTable<K, VR>;
  leftJoin(
    other: AnyTable,
    a: AnyFn,
    b: AnyFn | TableJoinOptions,
    c?: ForeignKeyJoinOptions<unknown, unknown>,
  ): AnyTable {
    return keyOrForeignKeyJoin(this, other, a, b, c, 'left');
  }

  /** Outer join on the key: a row while either table holds the key; the missing side is undefined. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | undefined, otherValue: VO | undefined, key: K) => VR,
    opts: TableJoinOptions,
  ): KTable<K, VR> {
    return joinTables(this, other, joiner, 'outer', opts);
  }
}
