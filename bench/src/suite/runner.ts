/**
 * One run of one peer: spawn it, sample its CPU and RSS from /proc until all its output is committed,
 * stop it, and gate its output against the ground truth.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CampaignMinute } from '@tributary/app-campaign-views';
import { countParquetRows, listParquet, readParquetRows } from '@tributary/app-campaign-views/test-output';
import type { Kafka } from 'kafkajs';
import { flushRecords, inputTopic, type Truth } from '../common.js';
import type { JoinPair, JoinTruth } from '../join-data.js';
import { gateJoin, gatePassThrough, gateRows } from './gate.js';
import { BENCH, type ChildOptions, childCommand, type Peer } from './peers.js';
import { committedSum, countTopic, createTopics, deleteRunTopics, follow, sleep } from './topics.js';

const ROOT = path.resolve(BENCH, '..');
const WORK = path.join(os.tmpdir(), 'tributary-bench');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

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
  gate: string;
  digest?: string;
  childReport?: unknown;
}

function procSample(pid: number): { cpuS: number; rssMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14, 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuS, rssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

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
}

export async function runOnce(p: Peer, run: number, ctx: Ctx): Promise<RunResult> {
  const { d, truth, k } = ctx;
  const runId = `bench-${Date.now().toString(36)}-${p.id}`;
  const ids = {
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

  const { cmd, args } = childCommand(p, ctx, ids);
  const stdout: string[] = [];
  let stderr = '';
  const t0 = performance.now();
  const child: ChildProcess = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  let buf = '';
  child.stdout?.on('data', (b: Buffer) => {
    buf += b.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      stdout.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-20_000);
  });
  const pid = child.pid as number;
  let last = procSample(pid) ?? { cpuS: 0, rssMb: 0 };
  let flushed = false;
  let drainS: number | undefined;
  let done = false;
  let error: string | undefined;
  const seenParquet = new Map<string, number>();
  let tick = 0;
  while (!done) {
    await sleep(200);
    tick++;
    const s = procSample(pid);
    if (s) last = s;
    if (exited !== undefined) {
      if (p.kind === 'ceiling' && stdout.some((l) => l.includes('"done"'))) break;
      error = `exited with ${exited} before completion: ${stderr.trim().split('\n').slice(-8).join(' | ')} ${stdout.filter((l) => l.includes('failed')).join(' ')}`;
      break;
    }
    if ((performance.now() - t0) / 1000 > ctx.timeoutS) {
      error = `timeout after ${ctx.timeoutS} s (rows ${rowCount}, parquet ${[...seenParquet.values()].reduce((a, b) => a + b, 0)}) stderr: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
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
              await prod.send({
                topic: ids.flush,
                acks: -1,
                messages: flushRecords(d).map((f) => ({
                  key: f.key,
                  value: f.value,
                  partition: f.partition,
                })),
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
      stderr += `\n[harness] ${String(err)}`;
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const final = procSample(pid);
  if (final) last = final;
  if (exited === undefined) child.kill('SIGTERM');
  for (let i = 0; i < 150 && exited === undefined; i++) await sleep(200);
  if (exited === undefined) child.kill('SIGKILL');
  await stopFollow?.();
  const report = stdout.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return undefined;
    }
  });
  const childReport = report.find((r) => r?.event === 'stopped') ?? report.find((r) => r?.event === 'done');
  const res: RunResult = {
    ...base,
    wallS,
    cpuS: last.cpuS,
    rssMb: last.rssMb,
    recPerS: inputRecords / wallS,
    cpuPer1M: last.cpuS / (inputRecords / 1e6),
    ...(drainS !== undefined ? { drainS } : {}),
    childReport,
  };
  if (error) {
    res.error = error;
    res.gate = 'not reached';
    cleanup(k, runId, ids.dir);
    return res;
  }
  // Correctness gate.
  try {
    if (p.kind === 'ceiling') {
      const r = childReport as { seen: number; parsed: number; failed: number };
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
  cleanup(k, runId, ids.dir);
  return res;
}

function cleanup(k: Kafka, runId: string, dir: string): void {
  if (process.env.BENCH_KEEP) return;
  rmSync(dir, { recursive: true, force: true });
  void deleteRunTopics(k, runId).catch(() => {});
}
