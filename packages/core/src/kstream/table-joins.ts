import { PassThroughProcessor } from '../internal/processors/stateless.js';
import {
  joinedValueGetter,
  type TableJoinKind,
  type TableJoinSide,
  TableTableJoinProcessor,
} from '../internal/processors/table-table-join.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import { addProcessor, requireName } from './dsl-context.js';
import { type ForeignKeyJoinOptions, joinOnForeignKey } from './foreign-key-joins.js';
import { internalSerde } from './internal-serdes.js';
import { KTable } from './ktable.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** Options of a KTable-KTable join (Kafka Streams' Named and Materialized, as far as they apply). */
export interface TableJoinOptions {
  /**
   * Required: names the join's processors (`<name>-join-this`, `<name>-join-other`, `<name>-merge`)
   * and its store of row timestamps, `<name>-join-timestamps` (durable: it names a changelog).
   */
  name: string;
  /** Back the timestamp store with a changelog topic. Default true. */
  logging?: boolean;
}

/**
 * KTable-KTable join on the primary key. Both tables' updates go through one processor per side
 * that reads the other side's current value; a merge node joins the two result streams into the
 * joined table. Both tables must be co-partitioned (checked at start()).
 */
export function joinTables<K, V, VO, VR>(
  left: KTable<K, V>,
  right: KTable<K, VO>,
  joiner: (value: V | undefined, otherValue: VO | undefined, key: K) => VR,
  kind: TableJoinKind,
  opts: TableJoinOptions,
): KTable<K, VR> {
  const name = requireName(opts?.name, 'table-table join');
  const ctx = left.ctx;
  const timestampStore = `${name}-join-timestamps`;
  ctx.graph.addStore({
    name: timestampStore,
    kind: 'key-value',
    keySerde: (left.keySerde ?? right.keySerde ?? internalSerde<K>()) as Serde<unknown>,
    valueSerde: internalSerde<unknown>(),
    logging: opts.logging ?? true,
    caching: true,
  });
  const sideNode = (side: TableJoinSide, table: KTable<K, unknown>, other: KTable<K, unknown>) =>
    addProcessor(
      ctx,
      {
        name: `${name}-join-${side === 'left' ? 'this' : 'other'}`,
        prefix: 'tableJoin',
        operator: `table-table-${kind === 'inner' ? '' : `${kind}-`}join-${side === 'left' ? 'this' : 'other'}`,
        stores: [...other.storeNames, timestampStore],
      },
      () =>
        new TableTableJoinProcessor<K, V, VO, VR>({
          side,
          kind,
          other: other.valueGetter,
          timestampStore,
          joiner,
        }) as unknown as ReturnType<AnySupplier>,
      [table.node],
    );
  const l = left as KTable<K, unknown>;
  const r = right as KTable<K, unknown>;
  const thisNode = sideNode('left', l, r);
  const otherNode = sideNode('right', r, l);
  const merge = addProcessor(
    ctx,
    { name: `${name}-merge`, prefix: 'merge', operator: 'table-merge' },
    () => new PassThroughProcessor(),
    [thisNode, otherNode],
  );
  // Both tables must have the same partition count, so a key's two rows live in the same task.
  ctx.graph.copartitionGroups.push(new Set([...left.sourceNodes, ...right.sourceNodes]));
  return new KTable<K, VR>(
    ctx,
    merge,
    [...left.storeNames, ...right.storeNames],
    joinedValueGetter(kind, left.valueGetter, right.valueGetter, joiner),
    left.keySerde ?? right.keySerde,
    undefined,
    [...left.sourceNodes, ...right.sourceNodes],
  );
}

type Fn = (...args: never[]) => unknown;

/**
 * `KTable.join`/`leftJoin` take either `(other, joiner, opts)` (on the key) or
 * `(other, foreignKeyExtractor, joiner, opts)` (on a foreign key), as Kafka Streams' do: a function
 * in third place tells them apart.
 */
export function keyOrForeignKeyJoin<K, V>(
  left: KTable<K, V>,
  other: KTable<unknown, unknown>,
  first: Fn,
  second: Fn | TableJoinOptions,
  third: ForeignKeyJoinOptions<unknown, unknown> | undefined,
  kind: 'inner' | 'left',
): KTable<K, unknown> {
  type Joiner = (v: V | undefined, o: unknown, k: K) => unknown;
  if (typeof second === 'function') {
    const extractor = first as unknown as (v: V, k: K) => unknown;
    return joinOnForeignKey(
      left,
      other,
      extractor,
      second as unknown as Joiner,
      kind === 'left',
      third ?? ({} as never),
    );
  }
  return joinTables(left, other as KTable<K, unknown>, first as unknown as Joiner, kind, second);
}
