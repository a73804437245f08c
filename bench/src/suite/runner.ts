/**
 * One run of one peer: spawn it, sample its CPU and RSS from /proc until all its output is committed,
 * stop it, and gate its output against the ground truth.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CampaignMinute } from '@tributary/app-campaign-views';
import { countParquetRows, listParquet, readParquetRows } from '@tributary/app-campaign-views/test-output';
import type { Kafka } from 'kafkajs';
import { flushRecords, inputTopic, type Truth } from '../common.js';
import type { JoinPair, JoinTruth } from '../join-data.js';
import { aggregateSamples, PeerProcess, type ProcSample } from './child.js';
import { gateJoin, gatePassThrough, gateRows } from './gate.js';
import { BENCH, type ChildOptions, childCommand, type Peer } from './peers.js';
import { committedSum, countTopic, createTopics, deleteRunTopics, follow, sleep } from './topics.js';

const ROOT = path.resolve(BENCH, '..');
const WORK = path.join(os.tmpdir(), 'tributary-bench');

export interface RunResult {
  peer: string;
  run: number;
  ok: boolean;
  error?: string;
  wallS: number;
  cpuS: number;
  rssMb: number;
  recPerS: number;
  cpuPer1M: number;
  /**
   * Full-topology peers: seconds until the input was consumed and committed (when the flush records
   * go out), so input records / drainS is the drain rate without the time it takes to close the
   * last windows (which differs between the event-time clocks: docs/time-and-windows.md).
   */
  drainS?: number;
  /**
   * CPU-seconds the processes had used when each printed `started` (module load, tsx transpile,
   * connections, internal topics): cpuS - startCpuS is the processing cost without start-up.
   */
  startCpuS?: number;
  gate: string;
  digest?: string;
  childReport?: unknown;
  /** Several instances: each process's CPU and peak RSS (cpuS above is their sum, rssMb the largest). */
  processes?: ProcSample[];
  /** Kept runs (Ctx.keep): the application id, topics and directory, for a restore run afterwards. */
  ids?: RunIds;
}

export type RunIds = { app: string; output: string; dlq: string; late: string; flush: string; dir: string };

/** Rows in the published Parquet files under `dir`; `seen` caches the count per file between polls. */
async function parquetRowCount(dir: string, seen: Map<string, number>): Promise<number> {
  const fresh = (await listParquet(dir)).filter((f) => !seen.has(f));
  for (const [f, n] of await countParquetRows(fresh)) seen.set(f, n);
  let n = 0;
  for (const v of seen.values()) n += v;
  return n;
}

export interface Ctx extends ChildOptions {
  truth: Truth;
  /** The join rows' expected pairs (only when a join peer runs). */
  join?: JoinTruth;
  k: Kafka;
  timeoutS: number;
  /** Processes of the peer sharing the run's application id (default 1); each has its own state dir. */
  instances?: number;
  /** Keep the run's topics and directory (the caller cleans up with cleanupRun). */
  keep?: boolean;
}

export async function runOnce(p: Peer, run: number, ctx: Ctx): Promise<RunResult> {
  const { d, truth, k } = ctx;
  const runId = `bench-${Date.now().toString(36)}-${p.id}`;
  const ids: RunIds = {
    app: runId,
    output: `${runId}-out`,
    dlq: `${runId}-dlq`,
    late: `${runId}-late`,
    flush: `${runId}-flush`,
    dir: path.join(WORK, runId),
  };
  mkdirSync(ids.dir, { recursive: true });
  if (p.system !== 'ceiling') {
    await createTopics(k, [
      { topic: ids.output, numPartitions: d.partitions },
      { topic: ids.dlq, numPartitions: 1 },
      { topic: ids.late, numPartitions: 1 },
      { topic: ids.flush, numPartitions: d.partitions },
    ]);
  }
  const base: RunResult = {
    peer: p.id,
    run,
    ok: false,
    wallS: 0,
    cpuS: 0,
    rssMb: 0,
    recPerS: 0,
    cpuPer1M: 0,
    gate: '',
  };

  // Full-topic peers: follow the output while running (small: one row per campaign and minute).
  const rows = new Map<string, CampaignMinute>();
  let rowCount = 0;
  // Join peers: one result per (view, click) pair, keyed here by click id.
  const joined = new Map<string, JoinPair & { click_id: string }>();
  const stopFollow =
    p.kind === 'full-topic'
      ? await follow(k, ids.output, (key, value) => {
          rowCount++;
          rows.set(key, JSON.parse(value.toString('utf8')) as CampaignMinute);
        })
      : p.kind === 'join'
        ? await follow(k, ids.output, (_key, value) => {
            rowCount++;
            const r = JSON.parse(value.toString('utf8')) as JoinPair & { click_id: string };
            joined.set(r.click_id, r);
          })
        : undefined;
  const inputRecords = p.kind === 'join' && ctx.join ? ctx.join.views + ctx.join.clicks : d.records;

  const n = ctx.instances ?? 1;
  const t0 = performance.now();
  const procs = Array.from({ length: n }, (_, i) => {
    const { cmd, args } = childCommand(p, ctx, i === 0 ? ids : { ...ids, state: `${ids.dir}/state-${i}` });
    return new PeerProcess(cmd, args, ROOT);
  });
  const first = procs[0] as PeerProcess;
  const startCpu: (number | undefined)[] = procs.map(() => undefined);
  const stdout = first.stdout;
  let flushed = false;
  let drainS: number | undefined;
  let done = false;
  let error: string | undefined;
  const seenParquet = new Map<string, number>();
  let tick = 0;
  while (!done) {
    await sleep(200);
    tick++;
    for (const c of procs) c.sample();
    procs.forEach((c, i) => {
      if (startCpu[i] === undefined && c.stdout.some((l) => l.includes('"event":"started"')))
        startCpu[i] = c.last.cpuS;
    });
    const gone = procs.find((c) => c.exited !== undefined);
    if (gone) {
      if (p.kind === 'ceiling' && stdout.some((l) => l.includes('"done"'))) break;
      error = `exited with ${gone.exited} before completion: ${gone.stderrTail(8)} ${gone.stdout.filter((l) => l.includes('failed')).join(' ')}`;
      break;
    }
    if ((performance.now() - t0) / 1000 > ctx.timeoutS) {
      error = `timeout after ${ctx.timeoutS} s (rows ${rowCount}, parquet ${[...seenParquet.values()].reduce((a, b) => a + b, 0)}) stderr: ${first.stderrTail(5)}`;
      break;
    }
    try {
      if (p.kind === 'ceiling') done = stdout.some((l) => l.includes('"done"'));
      else if (p.kind === 'join') done = joined.size >= (ctx.join?.pairs.size ?? 0);
      else if (tick % 2 === 0 || flushed) {
        if (!flushed || p.kind === 'passthrough') {
          const committed = await committedSum(k, ids.app, inputTopic(d));
          if (committed >= d.records) {
            if (p.kind === 'passthrough') done = true;
            else {
              // All input consumed and committed: now the flush records can close the last windows.
              drainS = (performance.now() - t0) / 1000;
              const prod = k.producer({ allowAutoTopicCreation: false, idempotent: false });
              await prod.connect();
              // One flush record per campaign, in chunks (a batch must stay under 1 MiB).
              const fl = flushRecords(d);
              for (let i = 0; i < fl.length; i += 5000)
                await prod.send({
                  topic: ids.flush,
                  acks: -1,
                  messages: fl
                    .slice(i, i + 5000)
                    .map((f) => ({ key: f.key, value: f.value, partition: f.partition })),
                });
              await prod.disconnect();
              flushed = true;
            }
          }
        }
        if (p.kind === 'full-topic') done = rows.size >= truth.windows.size;
        if (p.kind === 'full-parquet' && flushed)
          done = (await parquetRowCount(`${ids.dir}/parquet`, seenParquet)) >= truth.windows.size;
      }
    } catch (err) {
      first.stderr += `\n[harness] ${String(err)}`;
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const samples = procs.map((c) => c.sample());
  const total = aggregateSamples(samples);
  await Promise.all(procs.map((c) => c.stop()));
  await stopFollow?.();
  const reports = procs.map((c) => {
    const ev = c.events();
    return ev.find((r) => r.event === 'stopped') ?? ev.find((r) => r.event === 'done');
  });
  const res: RunResult = {
    ...base,
    wallS,
    cpuS: total.cpuS,
    rssMb: total.rssMb,
    recPerS: inputRecords / wallS,
    cpuPer1M: total.cpuS / (inputRecords / 1e6),
    ...(drainS !== undefined ? { drainS } : {}),
    ...(startCpu.every((x) => x !== undefined) ? { startCpuS: startCpu.reduce((a, b) => a + b, 0) } : {}),
    childReport: n === 1 ? reports[0] : reports,
    ...(n > 1 ? { processes: samples } : {}),
    ...(ctx.keep ? { ids } : {}),
  };
  if (error) {
    res.error = error;
    res.gate = 'not reached';
    if (!ctx.keep) cleanupRun(k, ids);
    return res;
  }
  // Correctness gate.
  try {
    if (p.kind === 'ceiling') {
      const r = reports[0] as unknown as { seen: number; parsed: number; failed: number };
      res.ok = r.seen === d.records;
      res.gate = `${r.seen} records decoded, ${r.parsed} parsed, ${r.failed} bad JSON`;
    } else {
      let g: { ok: boolean; detail: string; digest?: string };
      let malformed = truth.malformed;
      if (p.kind === 'join') {
        if (!ctx.join) throw new Error('join peer without join ground truth');
        // Let a straggling duplicate show up before counting.
        await sleep(1000);
        g = gateJoin(joined, rowCount, ctx.join);
        malformed = ctx.join.malformed;
      } else if (p.kind === 'passthrough') {
        const views: { start: number; end: number; campaign_id: number }[] = [];
        const stop = await follow(k, ids.output, (_key, v) => {
          const o = JSON.parse(v.toString('utf8'));
          views.push({ start: o.start, end: o.end, campaign_id: o.campaign_id });
        });
        for (let i = 0; i < 600 && views.length < truth.valid; i++) await sleep(100);
        await sleep(500);
        await stop();
        g = gatePassThrough(views, truth);
      } else if (p.kind === 'full-topic') {
        g = gateRows([...rows.values()], truth, d.campaigns);
        if (rowCount !== rows.size) g.detail += ` (${rowCount - rows.size} duplicate records)`;
      } else {
        const pq = await readParquetRows(`${ids.dir}/parquet`);
        g = gateRows(pq, truth, d.campaigns);
        g.detail += `, ${new Set(pq.map((r) => r.filename)).size} files`;
      }
      const dlq = await countTopic(k, ids.dlq, malformed);
      const late =
        p.system === 'tributary' && (p.kind === 'full-topic' || p.kind === 'full-parquet')
          ? await countTopic(k, ids.late, 0, 1000)
          : 0;
      const dlqOk = dlq === malformed;
      res.ok = g.ok && dlqOk && late === 0;
      res.gate = `${g.detail}; DLQ ${dlq}/${malformed}${late ? `; LATE ${late}` : ''}`;
      if (g.digest) res.digest = g.digest;
    }
  } catch (err) {
    res.gate = `gate error: ${String(err)}`;
  }
  if (!ctx.keep) cleanupRun(k, ids);
  return res;
}

/** Deletes a run's topics (its id is their prefix) and directory, unless BENCH_KEEP is set. */
export function cleanupRun(k: Kafka, ids: RunIds): void {
  if (process.env.BENCH_KEEP) return;
  rmSync(ids.dir, { recursive: true, force: true });
  void deleteRunTopics(k, ids.app).catch(() => {});
}
