import { TributaryError } from '../errors.js';
import type {
  GraphNode,
  InternalGraph,
  ProcessorNode,
  SourceNode,
  TopicRef,
} from '../internal/graph/nodes.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import type { StoreDefinition } from '../state/store.js';
import { internalSerde } from './internal-serdes.js';
import type { StoreOptions } from './options.js';

/** What every DSL object shares: the graph it appends to. */
export interface DslContext {
  readonly graph: InternalGraph;
}

export function addProcessor(
  ctx: DslContext,
  opts: { name?: string | undefined; prefix: string; operator: string; stores?: readonly string[] },
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
  parents: readonly GraphNode[],
): ProcessorNode {
  const node: ProcessorNode = {
    kind: 'processor',
    name: opts.name ?? ctx.graph.nextName(opts.prefix),
    operator: opts.operator,
    supplier,
    stores: opts.stores ?? [],
    children: [],
    parents: [],
  };
  ctx.graph.add(node, parents);
  for (const s of node.stores) ctx.graph.connectStore(s, node.name);
  return node;
}

/** Writes the stream to `<applicationId>-<name>-repartition` and reads it back in a new sub-topology. */
export function addRepartition(
  ctx: DslContext,
  parent: GraphNode,
  name: string,
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
  numberOfPartitions?: number,
): SourceNode {
  if (ctx.graph.repartitionTopics.has(name)) {
    throw new TributaryError('TOPOLOGY_INVALID', `repartition topic name "${name}" is used twice`);
  }
  const topic: TopicRef = { kind: 'repartition', name };
  ctx.graph.repartitionTopics.set(name, { name, numberOfPartitions });
  ctx.graph.add(
    {
      kind: 'sink',
      name: `${name}-repartition-sink`,
      topic,
      keySerde,
      valueSerde,
      children: [],
      parents: [],
    },
    [parent],
  );
  return ctx.graph.add({
    kind: 'source',
    name: `${name}-repartition-source`,
    topics: [topic],
    keySerde,
    valueSerde,
    timestampExtractor: undefined,
    children: [],
    parents: [],
  });
}

/** The key-value store an aggregation keeps its results in, with the user's store options applied. */
export function aggregateStore<VA>(
  name: string,
  keySerde: Serde<unknown>,
  opts: StoreOptions<VA>,
): StoreDefinition {
  return {
    name,
    kind: 'key-value',
    keySerde,
    valueSerde: (opts.valueSerde ?? internalSerde<VA>()) as Serde<unknown>,
    logging: opts.logging ?? true,
    caching: opts.caching ?? true,
  };
}

export function requireName(name: string | undefined, operation: string): string {
  if (!name) {
    throw new TributaryError(
      'TOPOLOGY_NAME_MISSING',
      `${operation} needs an explicit name: it names durable topics or stores that must survive restarts`,
    );
  }
  return name;
}
