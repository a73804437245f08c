import {
  type ChangelogBatchRecord,
  type Logger,
  type RestoreProgress,
  Serdes,
  type StateBackend,
  StreamsBuilder,
  Tributary,
} from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { closedAfterEach, tapLogger, tempDir, testLogger } from './helpers.js';

const KEYS = 4000;
const PARTITIONS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The real LevelDB backend reading the real changelog, with restores slowed down (a pause every 50
 * records) so a rebalance reliably lands in the middle of one. Fault injection, not a fake store.
 */
function slowRestore(inner: StateBackend, pauseMs: number): StateBackend {
  return {
    name: `${inner.name}+slow-restore`,
    openTask: (ctx) =>
      inner.openTask({
        ...ctx,
        changelogReader: {
          endOffset: (t, p) => ctx.changelogReader.endOffset(t, p),
          beginningOffset: (t, p) => ctx.changelogReader.beginningOffset(t, p),
          read: (t, p, from, to, onBatch, signal) =>
            ctx.changelogReader.read(
              t,
              p,
              from,
              to,
              async (records: ChangelogBatchRecord[]) => {
                for (let i = 0; i < records.length; i += 50) {
                  await sleep(pauseMs);
                  await onBatch(records.slice(i, i + 50));
                }
              },
              signal,
            ),
        },
      }),
    ...(inner.cacheOverBudget ? { cacheOverBudget: () => inner.cacheOverBudget?.() ?? false } : {}),
  };
}

describe('a rebalance arriving in the middle of a restore (exactly-once)', () => {
  const apps = closedAfterEach();

  it('the interrupted restore completes or moves on, and every count comes out exact', async () => {
    const input = uniqueName('midrestore-in');
    const output = uniqueName('midrestore-out');
    const applicationId = uniqueName('midrestore-app');
    await createTopics([
      { name: input, partitions: PARTITIONS },
      { name: output, partitions: PARTITIONS },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() })
        .groupByKey()
        .count({ name: 'counts', caching: false })
        .toStream()
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    const instance = async (name: string, backend: StateBackend, logger: Logger = testLogger()) => {
      const app = new Tributary(topology(), {
        applicationId,
        bootstrapServers: bootstrapServers(),
        stateBackend: backend,
        processingGuarantee: 'exactly-once',
        commitIntervalMs: 200,
        logger,
      });
      apps.push(app);
      app.done.catch((err: unknown) => console.log(`[midrestore] ${name} stopped: ${String(err)}`));
      return app;
    };
    const batch = (round: number) =>
      Array.from({ length: KEYS * 5 }, (_, i) => ({ key: `k${i % KEYS}`, value: `${round}-${i}` }));

    // Phase 1: instance A alone builds a changelog of KEYS entries (one record per update, no cache).
    await produceAll(input, batch(1));
    const a = await instance('A', levelDbBackend({ stateDir: await tempDir('midrestore-a') }));
    await a.start();
    expect(await waitForCommittedToEnd(applicationId, input, 90_000)).toBe(true);

    // B joins with empty state: the tasks it gets restore slowly; C joins as soon as B's restore starts.
    const bEvents: (RestoreProgress & { at: number })[] = [];
    let cStartedAt = 0;
    let cStarting: Promise<void> | undefined;
    const bAssigned: string[][] = [];
    const b = await instance(
      'B',
      slowRestore(levelDbBackend({ stateDir: await tempDir('midrestore-b') }), 100),
      tapLogger(testLogger(), (msg, f) => {
        if (msg === 'tasks assigned' && Array.isArray(f?.tasks)) bAssigned.push(f.tasks.map(String));
      }),
    );
    const c = await instance('C', levelDbBackend({ stateDir: await tempDir('midrestore-c') }));
    b.onRestoreProgress((e) => {
      bEvents.push({ ...e, at: Date.now() });
      if (e.phase === 'start' && e.toOffset > e.fromOffset && !cStarting)
        cStarting = c.start().then(() => {
          cStartedAt = Date.now();
        });
    });
    await b.start();
    const started = Date.now();
    while (!cStarting && Date.now() - started < 60_000) await sleep(100);
    expect(cStarting).toBeDefined();
    await cStarting;

    // Phase 2 while the group settles; then everything must be committed with exact counts.
    await produceAll(input, batch(2));
    await Promise.all([a, b, c].map((app) => app.waitForState('running')));
    expect(await waitForCommittedToEnd(applicationId, input, 120_000)).toBe(true);

    // The rebalance C caused really arrived while B was restoring: B's first non-empty restore ended
    // well after C had joined (restores of ~5,000 records take ~10 s at 50 records per 100 ms).
    const firstStart = bEvents.find((e) => e.phase === 'start' && e.toOffset > e.fromOffset);
    const firstEnd = bEvents.find(
      (e) => e.phase === 'end' && e.taskId === firstStart?.taskId && e.at >= (firstStart?.at ?? 0),
    );
    expect(firstStart).toBeDefined();
    expect(cStartedAt).toBeGreaterThan(0);
    expect((firstEnd?.at ?? Number.POSITIVE_INFINITY) - cStartedAt).toBeGreaterThan(2000);

    // B finished no restore for a task the newer assignment had given to C: that restore stopped.
    const bTasks = bAssigned.at(-1) ?? [];
    const finishedAfterC = bEvents.filter((e) => e.phase === 'end' && e.at > cStartedAt).map((e) => e.taskId);
    expect(finishedAfterC.filter((t) => !bTasks.includes(t))).toEqual([]);

    // Exactly-once: per key the committed updates rise one by one from 1 to 10, with no repeats.
    const seen = new Map<string, number[]>();
    for (const r of await consumeAll(output, { idleMs: 2000, readCommitted: true })) {
      const k = r.key?.toString() ?? '';
      const list = seen.get(k) ?? [];
      list.push(JSON.parse(r.value?.toString() ?? 'null') as number);
      seen.set(k, list);
    }
    const expected = Array.from({ length: 10 }, (_, i) => i + 1).join(',');
    const bad = [...seen].filter(([, v]) => v.join(',') !== expected).map(([k, v]) => `${k}: ${v.join(',')}`);
    expect(seen.size).toBe(KEYS);
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
