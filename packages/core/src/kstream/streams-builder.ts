import { TributaryError } from '../errors.js';
import { InternalGraph, type SourceNode } from '../internal/graph/nodes.js';
import { buildTopology, type Topology } from '../internal/graph/topology.js';
import { TableSourceProcessor } from '../internal/processors/table-source.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { StoreDefinition } from '../state/store.js';
import { addProcessor, type DslContext, requireName } from './dsl-context.js';
import { GlobalKTable } from './global-ktable.js';
import { internalSerde } from './internal-serdes.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import type { ConsumedOptions, TableOptions } from './options.js';

/**
 * Entry point of the DSL. Its methods only add nodes to a logical graph; `build()` turns the graph
 * into a Topology of sub-topologies connected by repartition topics.
 * Source serdes default to string keys and JSON values.
 */
export class StreamsBuilder {
  private readonly ctx: DslContext = { graph: new InternalGraph() };
  private built = false;

  private addSource<K, V>(topics: readonly string[], opts: ConsumedOptions<K, V>, table = false): SourceNode {
    this.assertOpen();
    return this.ctx.graph.add({
      kind: 'source',
      name: opts.name ?? this.ctx.graph.nextName('source'),
      topics: topics.map((name) => ({ kind: 'user' as const, name })),
      keySerde: (opts.keySerde ?? Serdes.string()) as Serde<unknown>,
      valueSerde: (opts.valueSerde ?? Serdes.json<V>()) as Serde<unknown>,
      timestampExtractor: opts.timestampExtractor as SourceNode['timestampExtractor'],
      ...(table ? { table } : {}),
      children: [],
      parents: [],
    });
  }

  stream<K = string, V = unknown>(
    topic: string | readonly string[],
    opts: ConsumedOptions<K, V> = {},
  ): KStream<K, V> {
    const topics = typeof topic === 'string' ? [topic] : topic;
    const source = this.addSource(topics, opts);
    return new KStream<K, V>(this.ctx, {
      node: source,
      keySerde: source.keySerde as Serde<K>,
      valueSerde: source.valueSerde as Serde<V>,
      repartitionRequired: false,
      sourceNodes: [source.name],
    });
  }

  /** A table materialized from a (compacted) topic in store `opts.name`; null values delete. */
  table<K = string, V = unknown>(topic: string, opts: TableOptions<K, V>): KTable<K, V> {
    const name = requireName(opts.name, 'table');
    const source = this.addSource([topic], { ...opts, name: `${name}-source` }, true);
    this.ctx.graph.addStore({
      name,
      kind: 'key-value',
      keySerde: source.keySerde,
      valueSerde: internalSerde<V>() as Serde<unknown>,
      logging: true,
      caching: true,
    });
    const node = addProcessor(
      this.ctx,
      { name: `${name}-table-source`, prefix: 'table', operator: 'table-source', stores: [name] },
      () => new TableSourceProcessor(name),
      [source],
    );
    return KTable.materialized<K, V>(
      this.ctx,
      node,
      name,
      source.keySerde as Serde<K>,
      source.valueSerde as Serde<V>,
      [source.name],
    );
  }

  /** A table replicated to every instance, fully read before processing starts. */
  globalTable<K = string, V = unknown>(topic: string, opts: TableOptions<K, V>): GlobalKTable<K, V> {
    this.assertOpen();
    const name = requireName(opts.name, 'globalTable');
    if (this.ctx.graph.globalStores.has(name)) {
      throw new TributaryError('TOPOLOGY_INVALID', `global store "${name}" is defined twice`);
    }
    this.ctx.graph.globalStores.set(name, {
      name,
      topic,
      keySerde: (opts.keySerde ?? Serdes.string()) as Serde<unknown>,
      valueSerde: (opts.valueSerde ?? Serdes.json<V>()) as Serde<unknown>,
    });
    return new GlobalKTable<K, V>(name, topic);
  }

  /** Registers a store for Processor API nodes (`stream.process(supplier, { stores: [name] })`). */
  addStateStore(def: StoreDefinition): this {
    this.assertOpen();
    this.ctx.graph.addStore(def);
    return this;
  }

  build(): Topology {
    this.assertOpen();
    this.built = true;
    return buildTopology(this.ctx.graph);
  }

  private assertOpen(): void {
    if (this.built) throw new TributaryError('ILLEGAL_STATE', 'this StreamsBuilder was already built');
  }
}
