import { TributaryError } from '../../errors.js';
import type { AdminPort, NewTopic } from '../../kafka/ports.js';
import { changelogTopicName } from '../../state/store.js';
import { resolveTopic, type TopicRef, topicLabel } from '../graph/nodes.js';
import type { Subtopology, Topology } from '../graph/topology.js';

export interface TopicPlan {
  /** Partition count of every sub-topology (= its number of tasks). */
  readonly partitionsBySubtopology: ReadonlyMap<number, number>;
  readonly toCreate: readonly NewTopic[];
}

const ONE_DAY = 24 * 60 * 60 * 1000;

/**
 * Works out partition counts (repartition topics inherit the largest upstream source topic, as in
 * Kafka Streams), checks co-partitioning, and lists the internal topics to create: repartition
 * topics (delete policy), changelogs (compacted; windowed ones compact,delete with retention).
 */
export async function planInternalTopics(
  topology: Topology,
  applicationId: string,
  admin: AdminPort,
  opts: {
    replicationFactor: number;
    dlqTopics: readonly string[];
    /** `max.message.bytes` of the dead-letter topics created: room for a source record plus the DLQ headers. */
    dlqMaxMessageBytes?: number;
  },
): Promise<TopicPlan> {
  const userTopics = new Set<string>();
  for (const st of topology.subtopologies)
    for (const t of st.topics) if (t.kind === 'user') userTopics.add(t.name);
  for (const g of topology.globalStores) userTopics.add(g.topic);
  const counts = await admin.partitionCounts([...userTopics]);
  const missing = [...userTopics].filter((t) => !counts.has(t));
  if (missing.length > 0) {
    throw new TributaryError('TOPOLOGY_INVALID', `source topics do not exist: ${missing.join(', ')}`);
  }

  const repartitionCounts = new Map<string, number>();
  const upstreamOf = (name: string): Subtopology | undefined =>
    topology.subtopologies.find((st) =>
      st.nodes.some(
        (n) =>
          n.kind === 'sink' &&
          typeof n.topic !== 'function' &&
          n.topic.kind === 'repartition' &&
          n.topic.name === name,
      ),
    );
  const countOf = (ref: TopicRef, depth = 0): number => {
    if (depth > 50) throw new TributaryError('TOPOLOGY_INVALID', 'cyclic repartition topics');
    if (ref.kind === 'user') return counts.get(ref.name) as number;
    const known = repartitionCounts.get(ref.name);
    if (known !== undefined) return known;
    const spec = topology.repartitionTopics.find((r) => r.name === ref.name);
    let n = spec?.numberOfPartitions;
    if (n === undefined) {
      const up = upstreamOf(ref.name);
      if (!up) throw new TributaryError('TOPOLOGY_INVALID', `nothing writes ${topicLabel(ref)}`);
      n = Math.max(...up.topics.map((t) => countOf(t, depth + 1)));
    }
    repartitionCounts.set(ref.name, n);
    return n;
  };

  // As Kafka Streams' CopartitionedTopicsEnforcer: a repartition topic feeding a join (without an
  // explicit count) takes the partition count of the join's source topics, or the largest of the
  // group when every topic in it is a repartition topic; a mismatch then fails with both counts.
  const explicit = (ref: TopicRef) =>
    topology.repartitionTopics.find((r) => r.name === ref.name)?.numberOfPartitions !== undefined;
  for (const st of topology.subtopologies) {
    for (const group of st.copartitioned) {
      const user = group.filter((t) => t.kind === 'user');
      const flexible = group.filter((t) => t.kind === 'repartition' && !explicit(t));
      if (flexible.length === 0) continue;
      const n = user.length > 0 ? countOf(user[0] as TopicRef) : Math.max(...group.map((t) => countOf(t)));
      for (const t of flexible) repartitionCounts.set(t.name, n);
    }
  }

  const partitionsBySubtopology = new Map<number, number>();
  for (const st of topology.subtopologies) {
    const perTopic = st.topics.map((t) => countOf(t));
    for (const group of st.copartitioned) {
      const sizes = group.map((t) => countOf(t));
      if (new Set(sizes).size > 1) {
        throw new TributaryError(
          'COPARTITION_MISMATCH',
          `joined topics must have the same partition count: ${group.map((t, i) => `${topicLabel(t)}=${sizes[i]}`).join(', ')}`,
        );
      }
    }
    partitionsBySubtopology.set(st.id, Math.max(...perTopic));
  }

  const toCreate: NewTopic[] = [];
  for (const [name, partitions] of repartitionCounts) {
    toCreate.push({
      name: resolveTopic({ kind: 'repartition', name }, applicationId),
      partitions,
      replicationFactor: opts.replicationFactor,
      // No time-based deletion: records carry event time, and replaying old data must not let the
      // broker delete unread segments. Consumed records are purged after each commit instead.
      configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1' },
    });
  }
  for (const st of topology.subtopologies) {
    const partitions = partitionsBySubtopology.get(st.id) as number;
    for (const store of st.stores) {
      if (!store.logging) continue;
      const windowed = store.kind !== 'key-value';
      toCreate.push({
        name: changelogTopicName(applicationId, store.name),
        partitions,
        replicationFactor: opts.replicationFactor,
        configs: windowed
          ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String((store.retentionMs ?? 0) + ONE_DAY) }
          : { 'cleanup.policy': 'compact' },
      });
    }
  }
  for (const dlq of opts.dlqTopics) {
    const max = opts.dlqMaxMessageBytes;
    toCreate.push({
      name: dlq,
      partitions: 1,
      replicationFactor: opts.replicationFactor,
      ...(max !== undefined ? { configs: { 'max.message.bytes': String(max) } } : {}),
    });
  }
  return { partitionsBySubtopology, toCreate };
}
