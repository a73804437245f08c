import type { GroupPartitionsAssigner, GroupProtocolSubscription } from '@platformatic/kafka';
import { planStickyAssignment } from '../sticky-assignment.js';

const NAME = 'TributaryStickyTaskAssigner';
const VERSION = 1;

function ownedFrom(userData: Buffer | string | undefined): number[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString()) as { owned?: unknown };
    return Array.isArray(parsed.owned) ? parsed.owned.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

/**
 * The classic-protocol subscription: the client encodes `metadata` at every JoinGroup, so a getter
 * advertises the partition numbers this instance holds tasks for at that moment. The same wire
 * format as the kafkajs adapter's assignor, so members of both adapters can share a group.
 */
export function stickyTaskProtocol(owned: () => readonly number[]): GroupProtocolSubscription {
  return {
    name: NAME,
    version: VERSION,
    get metadata() {
      return Buffer.from(JSON.stringify({ owned: [...owned()] }));
    },
  };
}

/**
 * Leader-side assignment of whole partition numbers (planStickyAssignment): a task's co-partitioned
 * inputs never split across instances, and members keep the numbers they hold where balance allows.
 */
export const stickyTaskAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const partitionsByTopic = new Map<string, number[]>();
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    partitionsByTopic.set(
      topic,
      Array.from({ length: count }, (_, i) => i),
    );
  }
  const units = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
  const plan = planStickyAssignment(
    [...members.values()].map((m) => ({ id: m.memberId, owned: ownedFrom(m.metadata) })),
    units,
  );
  return [...members.keys()].map((memberId) => {
    const mine = new Set(plan.get(memberId) ?? []);
    const assignments = new Map<string, { topic: string; partitions: number[] }>();
    for (const [topic, partitions] of partitionsByTopic) {
      const list = partitions.filter((p) => mine.has(p));
      if (list.length > 0) assignments.set(topic, { topic, partitions: list });
    }
    return { memberId, assignments };
  });
};
