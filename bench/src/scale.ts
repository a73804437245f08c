/**
 * Scale curves (issue #20, item 4): the full campaign-views topology to a topic (`trib-full-topic-alo`)
 * as the input grows, as the number of windows in the store grows, and as instances of one
 * application id are added; and the rate at which a fresh instance restores a run's changelogs.
 * Every run passes the suite's correctness gate (windows equal the ground truth, DLQ count exact,
 * nothing late) or is reported as failed.
 *
 *   npx tsx bench/src/scale.ts [--curves input,windows,instances,restore] [--sizes 250000,1000000,4000000]
 *     [--windows 1000000:30,...] [--instances 1,2,4] [--instance-records 1000000] [--restore 4000000:22000]
 *     [--partitions 8] [--timeout-s S] [--suffix -scale]
 *
 * Writes bench/results/<date><suffix>.{md,png,json} (scale-report.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliOrExit } from '@tributary/app-kit';
import { parseScaleCli, SCALE_CLI } from './cli.js';
import { type DataSet, groundTruth, inputTopic, kafka, type Truth } from './common.js';
import { ensureData } from './generate.js';
import { type Point, scalePlan } from './scale-plan.js';
import { type RestoreResult, type ScalePointResult, writeScaleReport } from './scale-report.js';
import { PeerProcess } from './suite/child.js';
import { BENCH, type ChildOptions, childCommand, PEERS, type Peer } from './suite/peers.js';
import { fmt } from './suite/report.js';
import { cleanupRun, type RunIds, runOnce } from './suite/runner.js';
import { sleep } from './suite/topics.js';

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const PEER = PEERS.find((p) => p.id === 'trib-full-topic-alo') as Peer;

interface RestoreEvent {
  event: 'restore';
  phase: 'start' | 'end';
  task: string;
  store: string;
  from: string;
  to: string;
  restored: number;
  elapsedMs: number;
  t: number;
}

/**
 * Starts one more instance of a finished run's application id with an empty state dir: every store of
 * its tasks restores from the changelog. Done when each restore that started has ended and none has
 * started for 3 s; the rate is changelog records / (last end - first start).
 */
async function measureRestore(ctx: ChildOptions, ids: RunIds, timeoutS: number): Promise<RestoreResult> {
  const { cmd, args } = childCommand(PEER, ctx, { ...ids, state: `${ids.dir}/restore-state` });
  const t0 = Date.now();
  const c = new PeerProcess(cmd, args, path.resolve(BENCH, '..'));
  let events: RestoreEvent[] = [];
  let error: string | undefined;
  let quietSince = Date.now();
  let seen = 0;
  for (;;) {
    await sleep(200);
    c.sample();
    events = c.events().filter((e): e is RestoreEvent & Record<string, unknown> => e.event === 'restore');
    if (events.length !== seen) {
      seen = events.length;
      quietSince = Date.now();
    }
    const starts = events.filter((e) => e.phase === 'start').length;
    const ends = events.filter((e) => e.phase === 'end').length;
    if (starts > 0 && starts === ends && Date.now() - quietSince >= 3000) break;
    if (c.exited !== undefined) {
      error = `exited with ${c.exited} during restore: ${c.stderrTail(8)}`;
      break;
    }
    if ((Date.now() - t0) / 1000 > timeoutS) {
      error = `timeout after ${timeoutS} s (${starts} restores started, ${ends} ended)`;
      break;
    }
  }
  const sample = c.sample();
  await c.stop();
  const ends = events.filter((e) => e.phase === 'end');
  const firstStart = Math.min(...events.filter((e) => e.phase === 'start').map((e) => e.t));
  const lastEnd = Math.max(...ends.map((e) => e.t));
  const byStore = new Map<string, { restored: number; partitions: number; maxElapsedMs: number }>();
  for (const e of ends) {
    const s = byStore.get(e.store) ?? { restored: 0, partitions: 0, maxElapsedMs: 0 };
    s.restored += e.restored;
    s.partitions += 1;
    s.maxElapsedMs = Math.max(s.maxElapsedMs, e.elapsedMs);
    byStore.set(e.store, s);
  }
  const restored = ends.reduce((s, e) => s + e.restored, 0);
  const wallS = ends.length ? Math.max(0.001, (lastEnd - firstStart) / 1000) : 0;
  return {
    ok: error === undefined && ends.length > 0,
    ...(error ? { error } : {}),
    restored,
    restoreWallS: wallS,
    recPerS: wallS > 0 ? restored / wallS : 0,
    startToRestoredS: ends.length ? (lastEnd - t0) / 1000 : 0,
    cpuS: sample.cpuS,
    rssMb: sample.rssMb,
    stores: Object.fromEntries(byStore),
  };
}

async function runPoint(
  pt: Point,
  d: DataSet,
  truth: Truth,
  timeoutS: number | undefined,
): Promise<ScalePointResult> {
  const k = kafka('bench-scale');
  const ctx = {
    d,
    k,
    truth,
    timeoutS: timeoutS ?? Math.max(240, (d.records / 4_000) * Math.max(1, pt.instances / 2)),
    commitAlo: 1000,
    commitEos: 100,
    javaOpts: [],
    // The committed curves (2026-12-07) ran the peer from source; the run-suite bundles are not built here.
    nodePeers: 'tsx' as const,
    instances: pt.instances,
    keep: pt.restore,
  };
  const load1 = loadavg();
  const r = await runOnce(PEER, 1, ctx);
  const load1End = loadavg();
  log(
    `${pt.records} records, ${pt.campaigns} campaigns, ${pt.instances} process(es): ${r.ok ? 'OK' : 'FAILED'} ${fmt(r.wallS, 1)} s, ${fmt(r.recPerS)} rec/s, cpu ${fmt(r.cpuS, 1)} s (${fmt(r.cpuPer1M, 1)} per 1M), rss ${fmt(r.rssMb)} MB; ${r.error ?? r.gate}`,
  );
  const out: ScalePointResult = { point: pt, windows: truth.windows.size, load1, load1End, run: r };
  if (pt.restore && r.ids) {
    if (r.ok) {
      await sleep(2000);
      out.restoreResult = await measureRestore(ctx, r.ids, Math.max(300, d.records / 5_000));
      const rr = out.restoreResult;
      log(
        `restore: ${rr.ok ? 'OK' : 'FAILED'} ${fmt(rr.restored)} changelog records in ${fmt(rr.restoreWallS, 1)} s = ${fmt(rr.recPerS)} rec/s; ${rr.error ?? JSON.stringify(rr.stores)}`,
      );
    }
    cleanupRun(k, r.ids);
  }
  return out;
}

async function main(): Promise<void> {
  // Flags and the plan first: a bad value exits 2 here, before the broker is touched.
  const { values: a, plan } = parseCliOrExit(SCALE_CLI.usage, () => {
    const parsed = parseScaleCli(process.argv.slice(2));
    return { ...parsed, plan: scalePlan(parsed.values) };
  });
  const command = `npx tsx bench/src/scale.ts ${process.argv.slice(2).join(' ')}`.trim();
  log(
    `scale: ${plan.length} runs: ${plan.map((p) => `${p.records}:${p.campaigns}x${p.instances}${p.restore ? '+restore' : ''}`).join(', ')}`,
  );
  const results: ScalePointResult[] = [];
  let truth: { key: string; t: Truth } | undefined;
  for (const pt of plan) {
    const d: DataSet = { records: pt.records, partitions: a.partitions, campaigns: pt.campaigns };
    await ensureData(d, log);
    const key = inputTopic(d);
    if (truth?.key !== key) {
      truth = undefined; // let the last one go before computing the next
      const t = groundTruth(d);
      truth = { key, t };
      log(`ground truth of ${key}: ${t.valid} valid, ${t.malformed} malformed, ${t.windows.size} windows`);
    }
    results.push(await runPoint(pt, d, truth.t, a['timeout-s']));
    // Write after every point: a run cut short still leaves the points measured so far.
    writeScaleReport({ results, partitions: a.partitions, suffix: a.suffix, commands: [command] });
    await sleep(2000);
  }
  const stem = writeScaleReport({ results, partitions: a.partitions, suffix: a.suffix, commands: [command] });
  log(`wrote ${stem}.md, ${stem}.png, ${stem}.json`);
  console.log(readFileSync(`${stem}.md`, 'utf8'));
  process.exit(0);
}

await main();
