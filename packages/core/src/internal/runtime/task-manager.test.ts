import { describe, expect, it } from 'vitest';
import type { ConsumerPort, KafkaPort, ProducerPort, RawRecord } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { silentLogger } from '../../logger.js';
import type { ProcessorContext } from '../../processor/processor.js';
import { type Buffering, resolveBuffering } from './buffering.js';
import { GlobalState } from './global-state.js';
import { DEFAULT_RECORD_LIMITS } from './record-limits.js';
import { RuntimeStats } from './runtime-stats.js';
import { TaskManager } from './task-manager.js';

const unused = (what: string) => () => {
  throw new Error(`${what} is not used by this test`);
};

interface Setup {
  buffering?: Buffering;
  /** Fixed at 0 unless given: a batch never waits too long by itself. */
  clock?: { now: () => number };
  /** End offset of each partition of 'in'. */
  ends?: ReadonlyMap<number, bigint>;
}

/**
 * A task manager over one stateless sub-topology (a probe processor and a sink to 'out'), with ports
 * that do nothing (no broker); `sends` has the size of every batch sent.
 */
function setup(opts: Setup = {}) {
  const contexts: ProcessorContext[] = [];
  const sends: number[] = [];
  const b = new StreamsBuilder();
  const input = b.stream<string, string>('in');
  input.to('out');
  input.process(
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
    send: async (batch) => {
      sends.push(batch.length);
      return [];
    },
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
    clock: opts.clock ?? { now: () => 0 },
    buffering: resolveBuffering(opts.buffering),
    commitIntervalMs: 60_000,
    eventTime: 'watermark',
    partitionIdleMs: 10_000,
    partitionCounts: new Map(),
    tasksPerSubtopology: new Map(),
    onRestoreProgress: () => {},
    onRecordFailed: () => {},
    committedOffsets: async () =>
      new Map([
        ['in:0', 0n],
        ['in:1', 0n],
      ]),
    endOffsets: async () => new Map(opts.ends ?? [[0, 2n]]),
    purge: async () => {},
    sessionTimeoutMs: 10_000,
  });
  return { tasks, contexts, stats, sends };
}

const record = (offset: bigint, partition = 0): RawRecord => ({
  topic: 'in',
  partition,
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

/** `n` records of one partition from offset 0. */
const batch = (n: number, partition = 0): RawRecord[] =>
  Array.from({ length: n }, (_, i) => record(BigInt(i), partition));

/**
 * A batch of 300 records: at least SMALL_BATCH (200), so it is not processed at once; it waits for
 * more unless a buffering bound says otherwise (the clock stands still, so it never waits too long).
 */
async function processedAfterOneBatch(opts: Setup): Promise<{ processed: number; sends: number[] }> {
  const { tasks, sends } = setup({ ends: new Map([[0, 300n]]), ...opts });
  await tasks.assign([{ topic: 'in', partition: 0 }]);
  await tasks.process(batch(300), 300n);
  return { processed: tasks.metrics().processed as number, sends };
}

describe('TaskManager buffering settings', () => {
  it('maxBufferedRecords: above it the buffer is processed down to half, long before the default 20,000', async () => {
    expect((await processedAfterOneBatch({})).processed).toBe(0);
    expect((await processedAfterOneBatch({ buffering: { maxBufferedRecords: 250 } })).processed).toBe(300);
    expect((await processedAfterOneBatch({ buffering: { maxBufferedRecords: 301 } })).processed).toBe(0);
  });

  it('maxBufferedBytes: the same in bytes, long before the default 16 MiB', async () => {
    expect((await processedAfterOneBatch({ buffering: { maxBufferedBytes: 1000 } })).processed).toBe(300);
  });

  it('maxRunRecords and outputFlushRecords: a drain sends its output in runs of the set size', async () => {
    const small = { maxBufferedRecords: 250, maxRunRecords: 100, outputFlushRecords: 100 };
    // Down to half of 250: two runs of 100 (the rest stays buffered), each sent after its run.
    expect(await processedAfterOneBatch({ buffering: small })).toEqual({ processed: 200, sends: [100, 100] });
    // The defaults: one run of all 300 records (at most 1,000), sent once, at the end of the drain.
    expect(await processedAfterOneBatch({ buffering: { maxBufferedRecords: 250 } })).toEqual({
      processed: 300,
      sends: [300],
    });
  });

  it('hardCapRecords: with a lagging partition empty, the instance waits up to the hard cap only', async () => {
    const run = async (buffering: Buffering) => {
      const { tasks } = setup({
        buffering,
        ends: new Map([
          [0, 300n],
          [1, 10n],
        ]),
      });
      await tasks.assign([
        { topic: 'in', partition: 0 },
        { topic: 'in', partition: 1 },
      ]);
      await tasks.process(batch(300), 300n);
      return tasks.metrics().processed;
    };
    // Partition 1 has records in Kafka but none buffered: it may hold older ones, so wait for it.
    expect(await run({ maxBufferedRecords: 250 })).toBe(0);
    expect(await run({ maxBufferedRecords: 250, hardCapRecords: 250 })).toBe(300);
  });

  it('maxBufferDelayMs: a buffered batch is processed at the tick after it waited that long', async () => {
    const run = async (buffering: Buffering) => {
      let now = 1_000;
      const { tasks } = setup({ buffering, clock: { now: () => now }, ends: new Map([[0, 300n]]) });
      await tasks.assign([{ topic: 'in', partition: 0 }]);
      await tasks.process(batch(300), 300n);
      now += 50;
      await tasks.tick();
      return tasks.metrics().processed;
    };
    expect(await run({})).toBe(0);
    expect(await run({ maxBufferDelayMs: 50 })).toBe(300);
  });
});
