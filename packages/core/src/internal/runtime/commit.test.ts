import { describe, expect, it } from 'vitest';
import type {
  ConsumerPort,
  OutgoingRecord,
  ProducedOffset,
  ProducerPort,
  TopicPartitionOffset,
  TransactionPort,
} from '../../kafka/ports.js';
import { silentLogger } from '../../logger.js';
import type { OffsetRange, SinkTask } from '../../sink/sink.js';
import type { ChangelogRecord, TaskStores } from '../../state/store.js';
import type { ActiveTask } from './active-task.js';
import { commitTasks } from './commit.js';
import type { StreamTask } from './stream-task.js';

/** Every port call of one commit, in order, with what it was given. */
type Step = [string, ...unknown[]];

const clock = { now: () => 0 };

function harness(opts: { changelog?: ChangelogRecord[]; offsets?: TopicPartitionOffset[]; eos?: boolean }) {
  const steps: Step[] = [];
  const changelog = opts.changelog ?? [];
  const offsets = opts.offsets ?? [{ topic: 'in', partition: 2, offset: 11n }];
  const produced = (records: readonly OutgoingRecord[]): ProducedOffset[] => {
    const last = new Map<string, ProducedOffset>();
    records.forEach((r, i) => {
      last.set(`${r.topic}:${r.partition}`, {
        topic: r.topic,
        partition: r.partition ?? 0,
        lastOffset: 100n + BigInt(i),
      });
    });
    return [...last.values()];
  };
  const stream = {
    eventTime: () => 5_000,
    hasUncommitted: () => offsets.length > 0,
    committableOffsets: () => offsets,
    uncommittedRanges: (): OffsetRange[] =>
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, from: 0n, to: o.offset - 1n })),
    markCommitted: () => steps.push(['markCommitted']),
  } as unknown as StreamTask;
  const stores: TaskStores = {
    store: () => {
      throw new Error('not used');
    },
    flush: async () => {
      steps.push(['flush']);
      return changelog;
    },
    checkpoint: async (o) => {
      steps.push(['checkpoint', Object.fromEntries(o)]);
    },
    cachedBytes: () => 0,
    expire: async (t) => {
      steps.push(['expire', t]);
    },
    close: async () => {},
  };
  const sink = {
    prepare: async (r: readonly OffsetRange[]) => {
      steps.push(['prepare', r]);
    },
    publish: async () => {
      steps.push(['publish']);
    },
  } as unknown as SinkTask<unknown, unknown>;
  const transaction: TransactionPort = {
    send: async (r) => {
      steps.push(['txn.send', r.length]);
      return produced(r);
    },
    sendOffsets: async (groupId, o) => {
      steps.push(['txn.sendOffsets', groupId, o]);
    },
    commit: async () => {
      steps.push(['txn.commit']);
    },
    abort: async () => {
      steps.push(['txn.abort']);
    },
  };
  const producer: ProducerPort = {
    connect: async () => {},
    send: async (r) => {
      steps.push(['send', r.length]);
      return produced(r);
    },
    beginTransaction: async () => {
      steps.push(['beginTransaction']);
      return transaction;
    },
    disconnect: async () => {},
  };
  const consumer = {
    groupId: 'app',
    commit: async (o: readonly TopicPartitionOffset[]) => {
      steps.push(['consumer.commit', o]);
    },
  } as unknown as ConsumerPort;
  const task: ActiveTask = {
    id: '0_2',
    subtopology: { id: 0, nodes: [], topics: [], stores: [] } as unknown as ActiveTask['subtopology'],
    partition: 2,
    stream,
    stores,
    sinks: new Map([['files', sink]]),
    outputs: [],
    producer: opts.eos ? producer : undefined,
    transaction: undefined,
    pendingSend: undefined,
    commitRequested: true,
  };
  const commit = () =>
    commitTasks([task], {
      consumer,
      sharedProducer: opts.eos ? undefined : producer,
      logger: silentLogger,
      clock,
      reason: 'test',
    });
  return { steps, task, commit };
}

const changelog = (n: number): ChangelogRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    topic: 'app-counts-changelog',
    partition: 2,
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    timestamp: 1,
  }));

describe('commitTasks', () => {
  it('at-least-once: files staged, caches flushed, changelog produced, files published, offsets committed, checkpoint, expiry', async () => {
    const { steps, task, commit } = harness({ changelog: changelog(3) });
    await commit();
    expect(steps).toEqual([
      ['prepare', [{ topic: 'in', partition: 2, from: 0n, to: 10n }]],
      ['flush'],
      ['send', 3],
      ['publish'],
      ['consumer.commit', [{ topic: 'in', partition: 2, offset: 11n }]],
      // The checkpoint is the offset after the last changelog record written by this commit.
      ['checkpoint', { 'app-counts-changelog': 103n }],
      ['markCommitted'],
      ['expire', 5_000],
    ]);
    expect(task.commitRequested).toBe(false);
  });

  it('exactly-once: changelog and offsets go into the task transaction, committed after the files are published', async () => {
    const { steps, task, commit } = harness({ changelog: changelog(2), eos: true });
    await commit();
    expect(steps).toEqual([
      ['prepare', [{ topic: 'in', partition: 2, from: 0n, to: 10n }]],
      ['flush'],
      ['beginTransaction'],
      ['txn.send', 2],
      ['txn.sendOffsets', 'app', [{ topic: 'in', partition: 2, offset: 11n }]],
      ['publish'],
      ['txn.commit'],
      ['checkpoint', { 'app-counts-changelog': 102n }],
      ['markCommitted'],
      ['expire', 5_000],
    ]);
    expect(task.transaction).toBeUndefined();
  });

  it('exactly-once: an open transaction (outputs sent since the last commit) is committed even with nothing else to do', async () => {
    const { steps, task, commit } = harness({ eos: true, offsets: [] });
    task.transaction = {
      send: async () => [],
      sendOffsets: async () => {
        steps.push(['open.sendOffsets']);
      },
      commit: async () => {
        steps.push(['open.commit']);
      },
      abort: async () => {},
    };
    await commit();
    expect(steps.map((s) => s[0])).toEqual([
      'prepare',
      'flush',
      'open.sendOffsets',
      'publish',
      'open.commit',
      'checkpoint',
      'markCommitted',
      'expire',
    ]);
  });

  it('a failing step stops the commit before offsets are committed or a checkpoint is written', async () => {
    const { steps, commit, task } = harness({ changelog: changelog(1) });
    (task.sinks.get('files') as { publish: () => Promise<void> }).publish = async () => {
      throw new Error('disk full');
    };
    await expect(commit()).rejects.toThrow('disk full');
    expect(steps.map((s) => s[0])).toEqual(['prepare', 'flush', 'send']);
  });

  it('skips a task with nothing processed, no transaction and no stores', async () => {
    const { steps, task } = harness({ offsets: [] });
    const bare = { ...task, stores: undefined };
    await commitTasks([bare], {
      consumer: {} as ConsumerPort,
      sharedProducer: undefined,
      logger: silentLogger,
      clock,
      reason: 'test',
    });
    expect(steps).toEqual([]);
  });

  it('exactly-once: output collected since the last send goes out with the changelog, in one send', async () => {
    const { steps, task, commit } = harness({ changelog: changelog(2), eos: true });
    task.outputs.push({
      topic: 'out',
      partition: 0,
      key: null,
      value: Buffer.from('x'),
      timestamp: 1,
      headers: {},
    });
    await commit();
    expect(steps.filter((s) => s[0] === 'txn.send')).toEqual([['txn.send', 3]]);
    expect(task.outputs).toEqual([]);
  });

  it('exactly-once: output alone (no offsets, no stores) still opens and commits a transaction', async () => {
    const { steps, task } = harness({ eos: true, offsets: [] });
    const bare: ActiveTask = { ...task, stores: undefined, outputs: [] };
    bare.outputs.push({
      topic: 'out',
      partition: 0,
      key: null,
      value: Buffer.from('w'),
      timestamp: 1,
      headers: {},
    });
    await commitTasks([bare], {
      consumer: { groupId: 'app' } as ConsumerPort,
      sharedProducer: undefined,
      logger: silentLogger,
      clock,
      reason: 'test',
    });
    expect(steps.map((s) => s[0])).toEqual([
      'prepare',
      'beginTransaction',
      'txn.send',
      'txn.sendOffsets',
      'publish',
      'txn.commit',
      'markCommitted',
    ]);
  });

  it("exactly-once: tasks' transactions commit side by side, and a failure is thrown only once every task settled", async () => {
    const a = harness({ eos: true });
    const b = harness({ eos: true });
    const bTask: ActiveTask = { ...b.task, id: '0_3', partition: 3 };
    // A's EndTxn waits until B has sent its offsets: one task after the other would never get there.
    let bOffsetsSent: () => void = () => {};
    const bReached = new Promise<void>((resolve) => {
      bOffsetsSent = resolve;
    });
    const aTxn = await (a.task.producer as ProducerPort).beginTransaction();
    a.task.transaction = {
      ...aTxn,
      commit: async () => {
        await bReached;
        throw new Error('EndTxn failed');
      },
    };
    const bTxn = await (b.task.producer as ProducerPort).beginTransaction();
    bTask.transaction = {
      ...bTxn,
      sendOffsets: async (g, o) => {
        await bTxn.sendOffsets(g, o);
        bOffsetsSent();
      },
    };
    const deps = {
      consumer: { groupId: 'app' } as ConsumerPort,
      sharedProducer: undefined,
      logger: silentLogger,
      clock,
      reason: 'test',
    };
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('commits ran one after the other')), 2000),
    );
    await expect(Promise.race([commitTasks([a.task, bTask], deps), timeout])).rejects.toThrow(
      'EndTxn failed',
    );
    // B committed in full although A failed, and A left no checkpoint behind.
    expect(b.steps.map((s) => s[0]).slice(-4)).toEqual([
      'txn.commit',
      'checkpoint',
      'markCommitted',
      'expire',
    ]);
    expect(a.steps.map((s) => s[0])).not.toContain('checkpoint');
  });
});
