import type { ProcessorSupplier } from '../../processor/processor.js';
import type { TimestampExtractor } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import type { Sink } from '../../sink/sink.js';
import type { StoreDefinition } from '../../state/store.js';
import { repartitionTopicLabel, repartitionTopicName } from '../names.js';

/** A topic named by the user, or a repartition topic whose full name needs the application id. */
export type TopicRef =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'repartition'; readonly name: string };

export function resolveTopic(ref: TopicRef, applicationId: string): string {
  return ref.kind === 'user' ? ref.name : repartitionTopicName(applicationId, ref.name);
}

export function topicLabel(ref: TopicRef): string {
  return ref.kind === 'user' ? ref.name : repartitionTopicLabel(ref.name);
}

interface BaseNode {
  readonly name: string;
  readonly children: GraphNode[];
  readonly parents: GraphNode[];
}

export interface SourceNode extends BaseNode {
  readonly kind: 'source';
  readonly topics: readonly TopicRef[];
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor: TimestampExtractor | undefined;
  /**
   * A table's topic (`builder.table`): its updates are state, not a stream in event time, so it does
   * not hold the task's watermark back.
   */
  readonly table?: boolean;
}

export interface ProcessorNode extends BaseNode {
  readonly kind: 'processor';
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly stores: readonly string[];
  /** Operator kind for describe(), e.g. "filter", "window-aggregate". */
  readonly operator: string;
}

export type TopicExtractor = (key: unknown, value: unknown) => string;

export interface TopicSinkNode extends BaseNode {
  readonly kind: 'sink';
  readonly topic: TopicRef | TopicExtractor;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
}

/**
 * Hands records to a `Sink` outside Kafka (Parquet, CSV, console...) through its `SinkTask`, which
 * takes part in every task commit.
 */
export interface ExternalSinkNode extends BaseNode {
  readonly kind: 'external-sink';
  readonly sink: Sink<unknown, unknown>;
}

export type GraphNode = SourceNode | ProcessorNode | TopicSinkNode | ExternalSinkNode;

/** A fully replicated table (every instance reads every partition), restored before processing starts. */
export interface GlobalStoreNode {
  readonly name: string;
  readonly topic: string;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
}

export interface RepartitionTopicSpec {
  readonly name: string;
  readonly numberOfPartitions: number | undefined;
}

/** Mutable graph the DSL appends to; `build()` freezes it into a Topology. */
export class InternalGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly stores = new Map<string, StoreDefinition>();
  /** store name -> processors that use it (a store belongs to exactly one sub-topology). */
  readonly storeUsers = new Map<string, Set<string>>();
  readonly globalStores = new Map<string, GlobalStoreNode>();
  readonly repartitionTopics = new Map<string, RepartitionTopicSpec>();
  /** Groups of source nodes whose topics must have equal partition counts (joins). */
  readonly copartitionGroups: Set<string>[] = [];
  private counter = 0;

  nextName(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${String(this.counter).padStart(4, '0')}`;
  }

  add<N extends GraphNode>(node: N, parents: readonly GraphNode[] = []): N {
    if (this.nodes.has(node.name)) {
      throw new Error(`duplicate node name "${node.name}"`);
    }
    this.nodes.set(node.name, node);
    for (const p of parents) {
      p.children.push(node);
      node.parents.push(p);
    }
    return node;
  }

  /**
   * Registers a store with no users yet; processors attach through connectStore. build() rejects a
   * store that no processor attached to.
   */
  addStore(def: StoreDefinition): void {
    if (!this.stores.has(def.name)) this.stores.set(def.name, def);
    if (!this.storeUsers.has(def.name)) this.storeUsers.set(def.name, new Set<string>());
  }

  connectStore(storeName: string, processorName: string): void {
    const set = this.storeUsers.get(storeName) ?? new Set<string>();
    set.add(processorName);
    this.storeUsers.set(storeName, set);
  }
}
