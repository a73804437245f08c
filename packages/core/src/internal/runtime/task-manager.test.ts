import { describe, expect, it } from 'vitest';
import type { ConsumerPort, KafkaPort, ProducerPort, RawRecord } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { silentLogger } from '../../logger.js';
import type { ProcessorContext } from '../../processor/processor.js';
import { GlobalState } from './global-state.js';
import { DEFAULT_RECORD_LIMITS } from './record-limits.js';
import { RuntimeStats } from './runtime-stats.js';
import { TaskManager } from './task-manager.js';

const unused = (what: string) => () => {
  throw new Error(`${what} is not used by this test`);
};

/** A task manager over one stateless sub-topology, with ports that do nothing (no broker). */
function setup() {
  const contexts: ProcessorContext[] = [];
  const b = new StreamsBuilder();
  b.stream<string, string>('in').process(
    () => ({
      init: (ctx) => {
        contexts.push(ctx as ProcessorContext);
      },
      process: () => {},
    }),
    { name: 'probe' },
  );
  const topology = b.build();
  const producer: ProducerPort = {
    connect: async () => {},
    send: async () => [],
    beginTransaction: unused('beginTransaction'),
    disconnect: async () => {},
  };
  const consumer: ConsumerPort = {
    groupId: 'app',
    connect: async () => {},
    subscribe: async () => {},
    run: async () => {},
    commit: async () => {},
    seek: () => {},
    disconnect: async () => {},
  };
  const stats = new RuntimeStats();
  const tasks = new TaskManager({
    topology,
    applicationId: 'app',
    port: {
      admin: unused('admin'),
      consumer: unused('consumer'),
      producer: unused('producer'),
    } as unknown as KafkaPort,
    consumer,
    sharedProducer: producer,
    exactlyOnce: false,
    stats,
    state: undefined,
    globals: new GlobalState(topology, silentLogger),
    errorPolicy: { mode: 'fail' },
    recordLimits: DEFAULT_RECORD_LIMITS,
    logger: silentLogger,
    clock: { now: () => Date.now() },
    commitIntervalMs: 60_000,
    eventTime: 'watermark',
    partitionIdleMs: 10_000,
    partitionCounts: new Map(),
    tasksPerSubtopology: new Map(),
    onRestoreProgress: () => {},
    onRecordFailed: () => {},
    committedOffsets: async () => new Map([['in:0', 0n]]),
    endOffsets: async () => new Map([[0, 2n]]),
    purge: async () => {},
    sessionTimeoutMs: 10_000,
  });
  return { tasks, contexts, stats };
}

const record = (offset: bigint): RawRecord => ({
  topic: 'in',
  partition: 0,
  offset,
  timestamp: 1_000 + Number(offset),
  key: Buffer.from('"k"'),
  value: Buffer.from('"v"'),
  headers: {},
});

describe('TaskManager caught-up state', () => {
  it('is caught up only after reading to the end, and never while the group rebalances', async () => {
    const { tasks, contexts } = setup();
    await tasks.assign([{ topic: 'in', partition: 0 }]);
    const ctx = contexts[0];
    if (!ctx) throw new Error('processor not initialised');
    // End offset 2, nothing read yet.
    expect(ctx.isCaughtUp()).toBe(false);
    await tasks.process([record(0n), record(1n)], 2n);
    expect(ctx.isCaughtUp()).toBe(true);

    // A rebalance was announced: other instances' tasks may be stalled, so idle time must not count.
    tasks.setRebalancing(true);
    expect(ctx.isCaughtUp()).toBe(false);
    tasks.setRebalancing(false);
    expect(ctx.isCaughtUp()).toBe(true);
  });
});

describe('TaskManager counts and restoring tasks', () => {
  it('counts a processed record once: metrics() and the process meter read the same count', async () => {
    const { tasks, stats } = setup();
    await tasks.assign([{ topic: 'in', partition: 0 }]);
    await tasks.process([record(0n), record(1n)], 2n);
    expect(tasks.metrics().processed).toBe(2);
    expect(stats.process.count).toBe(2);
  });

  it('restoringTaskIds: assigned by the newest assignment, not running yet', async () => {
    const { tasks } = setup();
    expect(tasks.restoringTaskIds()).toEqual([]);
    tasks.supersede([
      { topic: 'in', partition: 1 },
      { topic: 'in', partition: 0 },
    ]);
    expect(tasks.restoringTaskIds()).toEqual(['0_0', '0_1']);
    await tasks.assign([{ topic: 'in', partition: 0 }]);
    expect(tasks.restoringTaskIds()).toEqual(['0_1']);
  });
});
