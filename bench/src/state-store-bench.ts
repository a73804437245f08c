/**
 * Micro-benchmark of @tributary/state: LevelDB typed store put (cache + one flush batch per commit),
 * get on cache misses (getSync), range scans, and changelog restore. Run:
 *   npx tsx bench/src/state-store-bench.ts [records]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ChangelogRecord,
  changelogTopicName,
  type KeyValueStore,
  Serdes,
  type StateBackend,
  type StoreDefinition,
  silentLogger,
  type TaskStores,
} from '@tributary/core';
import { inMemoryBackend, levelDbBackend } from '@tributary/state';
import { InMemoryChangelog } from '@tributary/state/testing';

const N = Number(process.argv[2] ?? 200_000);
const COMMIT_EVERY = 10_000;
const APP = 'bench';
const store: StoreDefinition<string, { count: number; sum: number }> = {
  name: 'agg',
  kind: 'key-value',
  keySerde: Serdes.string(),
  valueSerde: Serdes.msgpack(),
  logging: true,
  caching: true,
};
type Store = KeyValueStore<string, { count: number; sum: number }>;

const key = (i: number) => `campaign-${String(i).padStart(8, '0')}`;
const rows: Array<[string, string, string]> = [];

async function timed(label: string, ops: number, unit: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  rows.push([
    label,
    `${Math.round((ops * 1000) / ms).toLocaleString('en-US')} ${unit}/s`,
    `${ms.toFixed(0)} ms`,
  ]);
}

function open(backend: StateBackend, changelog: InMemoryChangelog): Promise<TaskStores> {
  return backend.openTask({
    applicationId: APP,
    taskId: '0_0',
    partition: 0,
    stores: [store],
    changelogReader: changelog,
    exactlyOnce: false,
    logger: silentLogger,
  });
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const changelog = new InMemoryChangelog({ batchSize: 500 });
  try {
    let task = await open(levelDbBackend({ stateDir }), changelog);
    let kv = task.store<Store>('agg');
    await timed(`put ${N} keys, flush every ${COMMIT_EVERY}`, N, 'puts', async () => {
      for (let i = 0; i < N; i++) {
        kv.put(key(i), { count: i, sum: i * 1.5 });
        if ((i + 1) % COMMIT_EVERY === 0) await task.checkpoint(changelog.append(await task.flush()));
      }
      await task.checkpoint(changelog.append(await task.flush()));
    });
    await task.close({ clean: true });

    // Budget 0: nothing stays cached, so every get is a LevelDB getSync.
    task = await open(levelDbBackend({ stateDir, cacheBudget: 0 }), changelog);
    kv = task.store<Store>('agg');
    let seed = 1;
    await timed('get, cache miss (getSync)', N, 'gets', async () => {
      let found = 0;
      for (let i = 0; i < N; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        if (kv.get(key(seed % N)) !== undefined) found++;
      }
      if (found !== N) throw new Error(`expected ${N} hits, got ${found}`);
    });
    await timed('get + put, cache hit', N, 'ops', async () => {
      for (let i = 0; i < N; i++) {
        const k = key(i % 1000);
        const v = kv.get(k);
        kv.put(k, { count: (v?.count ?? 0) + 1, sum: 0 });
      }
      await task.flush();
    });
    await timed('full scan (all)', N, 'entries', async () => {
      let n = 0;
      for await (const _ of kv.all()) n++;
      if (n !== N) throw new Error(`scanned ${n}`);
    });
    const SCANS = 2000;
    await timed('range of 100 keys', SCANS, 'scans', async () => {
      for (let s = 0; s < SCANS; s++) {
        const from = (s * 97) % (N - 100);
        let n = 0;
        for await (const _ of kv.range(key(from), key(from + 99))) n++;
        if (n !== 100) throw new Error(`range returned ${n}`);
      }
    });
    await task.close({ clean: true });

    const restoreLog = new InMemoryChangelog({ batchSize: 500 });
    const topic = changelogTopicName(APP, store.name);
    const records: ChangelogRecord[] = [];
    for (let i = 0; i < N; i++) {
      const value = Serdes.msgpack().serialize({ count: i, sum: i });
      records.push({ topic, partition: 0, key: Buffer.from(key(i % (N / 2))), value, timestamp: 0 });
    }
    restoreLog.append(records);
    const fresh = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
    await timed(`restore ${N} records (LevelDB)`, N, 'records', async () => {
      const t = await open(levelDbBackend({ stateDir: fresh }), restoreLog);
      await t.close({ clean: true });
    });
    await rm(fresh, { recursive: true, force: true });
    await timed(`restore ${N} records (in-memory)`, N, 'records', async () => {
      const t = await open(inMemoryBackend(), restoreLog);
      await t.close({ clean: true });
    });
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), 10));
  const line = (r: readonly string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  console.log(`@tributary/state micro-benchmark, Node ${process.version}, ${N} records\n`);
  console.log(line(['operation', 'throughput', 'time']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

await main();
