import { TributaryError } from '../../errors.js';
import type { StoreDefinition } from '../../state/store.js';
import { describeTopology, type TopologyDescription } from './describe.js';
import {
  type GlobalStoreNode,
  type GraphNode,
  type InternalGraph,
  type RepartitionTopicSpec,
  type SourceNode,
  type TopicRef,
  topicLabel,
} from './nodes.js';

/** A connected piece of the graph; one task per partition of its source topics. */
export interface Subtopology {
  readonly id: number;
  readonly sources: readonly SourceNode[];
  /** Every node, parents before children. */
  readonly nodes: readonly GraphNode[];
  readonly stores: readonly StoreDefinition[];
  /** Topics (by ref) read by this sub-topology, in source order. */
  readonly topics: readonly TopicRef[];
  /** Topic sets that must be co-partitioned (from joins); checked against metadata at start. */
  readonly copartitioned: readonly (readonly TopicRef[])[];
}

/** The frozen result of `StreamsBuilder.build()`. */
export class Topology {
  constructor(
    readonly subtopologies: readonly Subtopology[],
    readonly globalStores: readonly GlobalStoreNode[],
    readonly repartitionTopics: readonly RepartitionTopicSpec[],
  ) {}

  /** Stable text form (tests snapshot it) with a Mermaid rendering. */
  describe(): TopologyDescription {
    return describeTopology(this);
  }
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

export function buildTopology(graph: InternalGraph): Topology {
  const uf = new UnionFind();
  for (const node of graph.nodes.values()) {
    for (const p of node.parents) uf.union(p.name, node.name);
  }
  // Processors sharing a store must run in the same task.
  for (const [store, users] of graph.storeUsers) {
    if (graph.globalStores.has(store)) continue;
    const list = [...users];
    if (list.length === 0) {
      throw new TributaryError('TOPOLOGY_INVALID', `store "${store}" is not connected to any processor`);
    }
    for (const u of list.slice(1)) uf.union(list[0] as string, u);
  }

  const groups = new Map<string, GraphNode[]>();
  for (const node of graph.nodes.values()) {
    const root = uf.find(node.name);
    const list = groups.get(root) ?? [];
    list.push(node);
    groups.set(root, list);
  }

  const subtopologies: Subtopology[] = [];
  for (const members of groups.values()) {
    const sources = members.filter((n): n is SourceNode => n.kind === 'source');
    if (sources.length === 0) {
      throw new TributaryError(
        'TOPOLOGY_INVALID',
        `nodes ${members.map((m) => m.name).join(', ')} have no source`,
      );
    }
    const memberNames = new Set(members.map((m) => m.name));
    const storeNames = new Set<string>();
    for (const [store, users] of graph.storeUsers) {
      if (graph.globalStores.has(store)) continue;
      if ([...users].some((u) => memberNames.has(u))) storeNames.add(store);
    }
    const topics: TopicRef[] = [];
    for (const s of sources) {
      for (const t of s.topics) {
        if (subtopologies.some((st) => st.topics.some((x) => x.kind === t.kind && x.name === t.name))) {
          throw new TributaryError(
            'TOPOLOGY_INVALID',
            `topic ${topicLabel(t)} is read by two sub-topologies`,
          );
        }
        topics.push(t);
      }
    }
    const copartitioned: TopicRef[][] = [];
    for (const group of graph.copartitionGroups) {
      const refs = sources.filter((s) => group.has(s.name)).flatMap((s) => s.topics);
      if (refs.length > 1) copartitioned.push(refs);
    }
    subtopologies.push({
      id: subtopologies.length,
      sources,
      nodes: topologicalOrder(sources),
      stores: [...storeNames].map((n) => graph.stores.get(n) as StoreDefinition),
      topics,
      copartitioned,
    });
  }

  return new Topology(subtopologies, [...graph.globalStores.values()], [...graph.repartitionTopics.values()]);
}

function topologicalOrder(sources: readonly SourceNode[]): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<string>();
  const visit = (n: GraphNode) => {
    if (seen.has(n.name)) return;
    if (n.parents.some((p) => !seen.has(p.name) && reachable(sources, p))) return;
    seen.add(n.name);
    order.push(n);
    for (const c of n.children) visit(c);
  };
  for (const s of sources) visit(s);
  return order;
}

function reachable(sources: readonly SourceNode[], target: GraphNode): boolean {
  const stack: GraphNode[] = [...sources];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const n = stack.pop() as GraphNode;
    if (n.name === target.name) return true;
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    stack.push(...n.children);
  }
  return false;
}
