import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { planStickyAssignment } from './sticky-assignment.js';

const NAME = 'TributaryStickyTaskAssigner';
const VERSION = 1;

function ownedFrom(userData: Buffer | undefined): number[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { owned?: unknown };
    return Array.isArray(parsed.owned) ? parsed.owned.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

/**
 * kafkajs assigner that assigns whole partition numbers (see planStickyAssignment), so a task's
 * co-partitioned inputs never split across instances; each member advertises the partition numbers
 * it holds in its subscription's user data, and the group leader keeps them where it can.
 */
export function stickyTaskAssigner(owned: () => readonly number[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: VERSION,
    async assign({ members, topics }) {
      const partitionsByTopic = new Map(
        topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]),
      );
      const units = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
      const plan = planStickyAssignment(
        members.map((m) => ({
          id: m.memberId,
          owned: ownedFrom(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        })),
        units,
      );
      return members.map((m) => {
        const mine = new Set(plan.get(m.memberId) ?? []);
        const assignment: Record<string, number[]> = {};
        for (const [topic, partitions] of partitionsByTopic) {
          const list = partitions.filter((p) => mine.has(p));
          if (list.length > 0) assignment[topic] = list;
        }
        return {
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: VERSION,
            assignment,
            userData: Buffer.alloc(0),
          }),
        };
      });
    },
    protocol({ topics }) {
      return {
        name: NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: VERSION,
          topics,
          userData: Buffer.from(JSON.stringify({ owned: [...owned()] })),
        }),
      };
    },
  });
}
