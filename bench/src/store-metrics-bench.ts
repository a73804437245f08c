/**
 * What the per-store put/get metrics cost (stream-state-metrics, on when the HTTP server is): the same
 * task, a count and a one-minute windowed count per key on the in-memory backend, fed the same records
 * with and without StoreStats, in alternating rounds; and the wrapper alone, around a Map-backed store
 * whose own calls cost next to nothing, so what remains is the metering. Times are CPU time of this
 * process (process.cpuUsage), less disturbed than wall time by other work on a shared machine.
 * Run:
 *   npx tsx bench/src/store-metrics-bench.ts [records] [rounds]
 */
import type { RawRecord } from '@tributary/core';
import { Serdes } from '@tributary/core';
import { StoreStats } from '../../packages/core/src/internal/state/metered-stores.js';
import { ObjectKeyValueStore } from '../../packages/core/src/internal/state/object-store.js';
// Internals on purpose: the bench measures the runtime's own task builder and store wrapper.
import {
  countingTask,
  kvDefinition as definition,
} from '../../packages/core/src/server/store-metrics-fixture.js';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const KEYS = 10_000;
const BATCH = 500;

const records: RawRecord[] = Array.from({ length: N }, (_, i) => ({
  topic: 'in',
  partition: 0,
  offset: BigInt(i),
  // All in one minute: every record updates an open window (no window closes mid-run).
  timestamp: 1_000 + Math.floor((i * 50_000) / N),
  key: Buffer.from(`campaign-${(i * 7919) % KEYS}`),
  value: Buffer.from('v'),
  headers: {},
}));

/** CPU milliseconds `fn` takes (user + system). */
async function cpuMs(fn: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function runTask(metered: boolean): Promise<number> {
  const task = await countingTask(metered ? new StoreStats() : undefined);
  const ms = await cpuMs(async () => {
    for (let i = 0; i < N; i += BATCH) await task.stream.process(records.slice(i, i + BATCH));
  });
  await task.stores?.close({ clean: false });
  return ms;
}

async function storeCalls(metered: boolean): Promise<number> {
  const stats = new StoreStats();
  const plain = new ObjectKeyValueStore<string, number>('counts', Serdes.string(), 't');
  const kv = metered ? stats.wrap(plain, definition, stats.open('0_0', definition, 'in-memory')) : plain;
  const keys = Array.from({ length: KEYS }, (_, i) => `campaign-${i}`);
  return cpuMs(() => {
    for (let i = 0; i < N; i++) {
      const k = keys[i % KEYS] as string;
      kv.put(k, (kv.get(k) ?? 0) + 1);
    }
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const task = { plain: [] as number[], metered: [] as number[] };
  const calls = { plain: [] as number[], metered: [] as number[] };
  await runTask(false); // warm-up
  await storeCalls(true);
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so drift on a shared machine hits both alike.
    for (const metered of r % 2 ? [true, false] : [false, true]) {
      task[metered ? 'metered' : 'plain'].push(await runTask(metered));
      calls[metered ? 'metered' : 'plain'].push(await storeCalls(metered));
    }
  }
  const rate = (ms: number) => Math.round((N * 1000) / ms).toLocaleString('en-US');
  const [tp, tm] = [median(task.plain), median(task.metered)];
  const [cp, cm] = [median(calls.plain), median(calls.metered)];
  console.log(`${N} records, ${KEYS} keys, ${ROUNDS} rounds each, medians (node ${process.version})`);
  console.log(
    `task (count + windowed count): plain ${rate(tp)} records/CPU-s, metered ${rate(tm)} records/CPU-s (${(((tm - tp) / tp) * 100).toFixed(1)} % more CPU)`,
  );
  const ns = (ms: number) => ((ms * 1e6) / (2 * N)).toFixed(0);
  console.log(
    `Map-backed store, get + put: plain ${ns(cp)} ns/call, metered ${ns(cm)} ns/call (+${(((cm - cp) * 1e6) / (2 * N)).toFixed(0)} ns CPU per call)`,
  );
  console.log(`all rounds ms: task ${JSON.stringify(task)}, calls ${JSON.stringify(calls)}`);
}

await main();
