import { describe, expect, it } from 'vitest';
import type { ConsumerPort, TopicPartitionOffset } from '../../kafka/ports.js';
import { silentLogger } from '../../logger.js';
import type { Subtopology } from '../graph/topology.js';
import {
  ExactlyOnceRecovery,
  ORPHAN_REBUILD_DELAY_MS,
  type RecoverableTasks,
} from './exactly-once-recovery.js';
import type { TaskSpec } from './task-factory.js';

function harness(exactlyOnce = true) {
  const live = new Set<string>();
  const seeks: TopicPartitionOffset[][] = [];
  const tasks: RecoverableTasks = {
    specs: () => [...live].map((id) => spec(id)),
    closeAllDirty: async () => live.clear(),
    recreate: async (s) => void live.add(s.id),
    nextOffsets: (id) => [{ topic: 'in', partition: Number(id.split('_')[1]), offset: 7n }],
  };
  const consumer = {
    seek: (o: readonly TopicPartitionOffset[]) => void seeks.push([...o]),
  } as unknown as ConsumerPort;
  return { live, seeks, recovery: new ExactlyOnceRecovery(exactlyOnce, tasks, consumer, silentLogger) };
}

const spec = (id: string): TaskSpec => ({
  id,
  subtopology: {} as Subtopology,
  partition: Number(id.split('_')[1]),
});

describe('ExactlyOnceRecovery after a fence no rebalance followed', () => {
  it('rebuilds the assigned tasks and moves the consumer back, once the wait is over', async () => {
    const { live, seeks, recovery } = harness();
    recovery.noteAssignment([spec('0_0'), spec('0_1')]);
    recovery.noteMigrated(1_000); // the tasks were closed dirty at t = 1 s
    await recovery.recoverOrphans(1_000 + ORPHAN_REBUILD_DELAY_MS - 1, false);
    expect(live.size).toBe(0);
    await recovery.recoverOrphans(1_000 + ORPHAN_REBUILD_DELAY_MS, false);
    expect([...live].sort()).toEqual(['0_0', '0_1']);
    expect(seeks).toEqual([
      [
        { topic: 'in', partition: 0, offset: 7n },
        { topic: 'in', partition: 1, offset: 7n },
      ],
    ]);
    // Only once.
    await recovery.recoverOrphans(60_000, false);
    expect(seeks).toHaveLength(1);
  });

  it('leaves the tasks to the assignment when the group rebalances', async () => {
    const { live, recovery } = harness();
    recovery.noteAssignment([spec('0_0')]);
    recovery.noteMigrated(0);
    await recovery.recoverOrphans(10_000, true); // rebalancing right now: wait for it
    expect(live.size).toBe(0);
    recovery.noteRebalance();
    await recovery.recoverOrphans(20_000, false);
    expect(live.size).toBe(0);
  });

  it('does nothing under at-least-once (no fencing there)', async () => {
    const { live, recovery } = harness(false);
    recovery.noteAssignment([spec('0_0')]);
    recovery.noteMigrated(0);
    await recovery.recoverOrphans(10_000, false);
    expect(live.size).toBe(0);
  });
});
