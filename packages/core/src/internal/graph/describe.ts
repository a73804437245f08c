import type { GraphNode } from './nodes.js';
import { topicLabel } from './nodes.js';
import type { Topology } from './topology.js';

export interface TopologyDescription {
  /** Stable, indented text; the same topology always prints the same text. */
  toString(): string;
  /** A Mermaid flowchart of the same graph. */
  toMermaid(): string;
}

function nodeLine(n: GraphNode): string {
  switch (n.kind) {
    case 'source':
      return `Source: ${n.name} (topics: [${n.topics.map(topicLabel).join(', ')}])`;
    case 'processor':
      return `Processor: ${n.name} (${n.operator}; stores: [${n.stores.join(', ')}])`;
    case 'sink':
      return `Sink: ${n.name} (topic: ${typeof n.topic === 'function' ? '<extractor>' : topicLabel(n.topic)})`;
    case 'external-sink':
      return `ExternalSink: ${n.name} (${n.sink.describe()})`;
  }
}

export function describeTopology(topology: Topology): TopologyDescription {
  const text = () => {
    const lines: string[] = ['Topologies:'];
    for (const st of topology.subtopologies) {
      lines.push(`  Sub-topology: ${st.id}`);
      for (const n of st.nodes) {
        lines.push(`    ${nodeLine(n)}`);
        if (n.children.length > 0) lines.push(`      --> ${n.children.map((c) => c.name).join(', ')}`);
        if (n.parents.length > 0) lines.push(`      <-- ${n.parents.map((p) => p.name).join(', ')}`);
      }
    }
    for (const g of topology.globalStores) {
      lines.push(`  Global store: ${g.name} (topic: ${g.topic})`);
    }
    return `${lines.join('\n')}\n`;
  };

  const mermaid = () => {
    const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
    // Mermaid renders labels as HTML: "<app>" would vanish, so the placeholder is written {app}.
    const topicText = (t: Parameters<typeof topicLabel>[0]) => topicLabel(t).replace('<app>', '{app}');
    const globals = new Set(topology.globalStores.map((g) => g.name));
    const lines: string[] = ['flowchart TD'];
    const topics = new Set<string>();
    const edges: string[] = [];
    for (const st of topology.subtopologies) {
      lines.push(`  subgraph sub${st.id}["Sub-topology ${st.id}"]`);
      for (const n of st.nodes) {
        const label = n.kind === 'processor' ? `${n.name}<br/>${n.operator}` : n.name;
        lines.push(`    ${id(n.name)}["${label}"]`);
        for (const c of n.children) edges.push(`  ${id(n.name)} --> ${id(c.name)}`);
        if (n.kind === 'source') {
          for (const t of n.topics) {
            topics.add(topicText(t));
            edges.push(`  t_${id(topicText(t))} --> ${id(n.name)}`);
          }
        }
        if (n.kind === 'sink' && typeof n.topic !== 'function') {
          topics.add(topicText(n.topic));
          edges.push(`  ${id(n.name)} --> t_${id(topicText(n.topic))}`);
        }
        if (n.kind === 'processor') {
          // Global stores are declared once, below, with their topic.
          for (const s of n.stores)
            edges.push(`  ${id(n.name)} -.- s_${id(s)}${globals.has(s) ? '' : `[("${s}")]`}`);
        }
      }
      lines.push('  end');
    }
    for (const g of topology.globalStores) {
      topics.add(g.topic);
      edges.push(`  t_${id(g.topic)} --> s_${id(g.name)}[("${g.name} (global)")]`);
    }
    for (const t of [...topics].sort()) lines.push(`  t_${id(t)}[/"${t}"/]`);
    return [...lines, ...edges].join('\n');
  };

  return { toString: text, toMermaid: mermaid };
}
