import {
  TableAggregateProcessor,
  TableRegroupProcessor,
  tableDeltaSerde,
} from '../internal/processors/table-aggregate.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';
import { addProcessor, addRepartition, aggregateStore, requireName } from './dsl-context.js';
import { internalSerde } from './internal-serdes.js';
import { KTable } from './ktable.js';
import type { StoreOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** A table re-grouped by a new key; aggregates need an adder and a subtractor. */
export class KGroupedTable<K, V> {
  constructor(
    private readonly table: KTable<unknown, unknown>,
    private readonly selector: (key: unknown, value: unknown) => KeyValue<K, V>,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    opts: StoreOptions<VA>,
  ): KTable<K, VA> {
    const name = requireName(opts.name, 'table aggregate');
    const ctx = this.table.ctx;
    const keySerde = this.keySerde ?? internalSerde<K>();
    const valueSerde = this.valueSerde ?? internalSerde<V>();
    const keyId = (k: K) => (keySerde.serialize(k) ?? Buffer.alloc(0)).toString('base64');
    const regroup = addProcessor(
      ctx,
      { name: `${name}-regroup`, prefix: 'regroup', operator: 'table-regroup' },
      () => new TableRegroupProcessor(this.selector, keyId) as unknown as ReturnType<AnySupplier>,
      [this.table.node],
    );
    const source = addRepartition(
      ctx,
      regroup,
      name,
      keySerde as Serde<unknown>,
      tableDeltaSerde(valueSerde) as Serde<unknown>,
    );
    ctx.graph.addStore(aggregateStore(name, keySerde as Serde<unknown>, opts));
    const node = addProcessor(
      ctx,
      { name: `${name}-aggregate`, prefix: 'tableAggregate', operator: 'table-aggregate', stores: [name] },
      () =>
        new TableAggregateProcessor(
          name,
          initializer,
          adder,
          subtractor,
        ) as unknown as ReturnType<AnySupplier>,
      [source],
    );
    return KTable.materialized(ctx, node, name, this.keySerde, opts.valueSerde, [source.name]);
  }

  count(opts: StoreOptions<number>): KTable<K, number> {
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, _v, n) => n - 1,
      opts,
    );
  }

  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    opts: StoreOptions<V>,
  ): KTable<K, V> {
    return this.aggregate<V>(
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : adder(agg, v)),
      (_k, v, agg) => subtractor(agg, v),
      opts,
    );
  }
}
