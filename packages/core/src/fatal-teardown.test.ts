import { describe, expect, it } from 'vitest';
import { isTributaryError } from './errors.js';
import type { AdminPort, ConsumerHandlers, ConsumerPort, KafkaPort, RawRecord } from './kafka/ports.js';
import { StreamsBuilder } from './kstream/streams-builder.js';
import { type Logger, silentLogger } from './logger.js';
import { Serdes } from './serde/serdes.js';
import { Tributary } from './tributary.js';

/**
 * A port whose consumer behaves like kafkajs where it matters here: disconnect() waits until the
 * batch handler in flight has returned. `stuckDisconnect` makes disconnect never finish at all.
 */
function fakePort(opts: { stuckDisconnect: boolean; value?: string }) {
  const calls = { disconnectStarted: 0, disconnectDone: 0 };
  const admin: AdminPort = {
    connect: async () => {},
    disconnect: async () => {},
    partitionCounts: async (topics) => new Map(topics.map((t) => [t, 1])),
    createTopics: async () => {},
    committedOffsets: async () => new Map(),
    endOffsets: async () => new Map([[0, 1n]]),
    deleteTopics: async () => {},
    deleteRecordsBefore: async () => {},
  };
  let inFlight: Promise<void> = Promise.resolve();
  const record: RawRecord = {
    topic: 'in',
    partition: 0,
    offset: 0n,
    key: null,
    value: Buffer.from(opts.value ?? '{not json'),
    timestamp: Date.now(),
    headers: {},
  };
  const consumer: ConsumerPort = {
    groupId: 'app',
    connect: async () => {},
    subscribe: async () => {},
    commit: async () => {},
    seek: () => {},
    run: async (h: ConsumerHandlers) => {
      setTimeout(() => {
        h.onAssigned([{ topic: 'in', partition: 0 }]);
        setTimeout(() => {
          inFlight = h.onBatch(
            [record],
            async () => {},
            1n,
            () => false,
          );
        }, 50);
      }, 10);
    },
    disconnect: async () => {
      calls.disconnectStarted += 1;
      if (opts.stuckDisconnect) await new Promise(() => {});
      await inFlight;
      calls.disconnectDone += 1;
    },
  };
  const port: KafkaPort = {
    admin: () => admin,
    consumer: () => consumer,
    producer: () => ({
      connect: async () => {},
      send: async () => [],
      beginTransaction: async () => {
        throw new Error('not transactional');
      },
      disconnect: async () => {},
    }),
    changelogReader: () => {
      throw new Error('no stores');
    },
    tailer: () => ({ start: async () => {}, stop: async () => {} }),
  };
  return { port, calls };
}

function app(port: KafkaPort, failTeardownMs?: number) {
  const b = new StreamsBuilder();
  b.stream('in', { valueSerde: Serdes.json() }).to('out');
  return new Tributary(b.build(), {
    applicationId: 'app',
    bootstrapServers: 'unused:9092',
    kafka: port,
    logger: silentLogger,
    ...(failTeardownMs !== undefined ? { failTeardownMs } : {}),
  });
}

async function settleTime(done: Promise<void>): Promise<{ err: unknown; ms: number }> {
  const t0 = Date.now();
  const err = await done.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, ms: Date.now() - t0 };
}

describe('a fatal error stops the app', () => {
  it('the batch handler returns before the consumer disconnects: no deadlock, the group is left', async () => {
    const { port, calls } = fakePort({ stuckDisconnect: false });
    const a = app(port, 60_000);
    await a.start();
    const { err, ms } = await settleTime(a.done);
    expect(isTributaryError(err, 'DESERIALIZATION_FAILED')).toBe(true);
    expect(ms).toBeLessThan(2000);
    expect(calls).toEqual({ disconnectStarted: 1, disconnectDone: 1 });
    expect(a.state).toBe('error');
  });

  it('a teardown that never ends is cut after failTeardownMs; close() and done settle too', async () => {
    const { port, calls } = fakePort({ stuckDisconnect: true });
    const a = app(port, 300);
    await a.start();
    const { err, ms } = await settleTime(a.done);
    expect(isTributaryError(err, 'DESERIALIZATION_FAILED')).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
    expect(calls.disconnectDone).toBe(0);
    // What SIGTERM does (runUntilSignal aborts -> close()): it returns instead of waiting forever.
    await a.close();
  });
});

describe('a failure inside close() takes the same path', () => {
  it('a record a processor emits at close() that the fail policy refuses: logged, bounded teardown, done rejected, state error', async () => {
    const { port } = fakePort({ stuckDisconnect: true, value: '{"a":1}' });
    const b = new StreamsBuilder();
    b.stream('in', { valueSerde: Serdes.json() })
      .process<string, string>(
        () => {
          let forward: ((ts: number) => void) | undefined;
          return {
            init: (ctx) => {
              forward = (ts) => ctx.forward({ key: 'k', value: 'v', timestamp: ts, headers: {} });
            },
            process: () => {},
            // Two hours ahead of the clock: the record limits refuse it.
            close: () => forward?.(Date.now() + 2 * 3_600_000),
          };
        },
        { name: 'closer' },
      )
      .to('out');
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, error: (msg) => void lines.push(msg), child: () => logger };
    const a = new Tributary(b.build(), {
      applicationId: 'app',
      bootstrapServers: 'unused:9092',
      kafka: port,
      logger,
      failTeardownMs: 300,
    });
    await a.start();
    await a.waitForState('running');
    const t0 = Date.now();
    const err = await a.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTributaryError(err, 'PRODUCTION_FAILED')).toBe(true);
    // The consumer's disconnect never ends: only the bounded teardown of fail() lets close() return.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(a.state).toBe('error');
    expect(lines).toContain('stopping after an error');
    await expect(a.done).rejects.toBe(err);
  });
});
