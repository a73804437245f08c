/**
 * Drain benchmark: Tributary vs Kafka Streams (Java) vs a raw kafkajs consumer, same broker, same data,
 * same machine. Every peer runs as a child process; wall time runs from spawn until all its output is
 * committed; CPU-seconds and peak RSS come from /proc/<pid>/{stat,status} sampled at that moment.
 *
 *   npx tsx bench/src/run-suite.ts [--records N] [--partitions P] [--runs 3] [--quick] [--full]
 *       [--peers id,id,...] [--campaigns 1000] [--timeout-s S] [--no-build]
 *
 * --quick = 200,000 records, 4 partitions; --full = 5,000,000 records, 8 partitions.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import type { Kafka } from 'kafkajs';
import { barChart, COLORS } from './chart.js';
import {
  BOOTSTRAP,
  campaignsTopic,
  type DataSet,
  flushRecords,
  GRACE_MS,
  groundTruth,
  inputTopic,
  kafka,
  median,
  parseArgs,
  type Truth,
} from './common.js';
import { ensureData } from './generate.js';

const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(BENCH, '..');
const KS_DIR = path.join(BENCH, 'peers/kafka-streams');
const WORK = path.join(os.tmpdir(), 'tributary-bench');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

type Kind = 'full-topic' | 'full-parquet' | 'passthrough' | 'ceiling';
type Guarantee = 'alo' | 'eos';
interface Peer {
  id: string;
  label: string;
  system: 'tributary' | 'kstreams' | 'ceiling';
  kind: Kind;
  guarantee: Guarantee;
  threads?: number;
}

const PEERS: Peer[] = [
  {
    id: 'ceiling',
    label: 'kafkajs raw consumer (ceiling)',
    system: 'ceiling',
    kind: 'ceiling',
    guarantee: 'alo',
  },
  {
    id: 'ks-full-1t-alo',
    label: 'KS full 1 thread ALO',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'alo',
    threads: 1,
  },
  {
    id: 'ks-full-2t-alo',
    label: 'KS full 2 threads ALO',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'alo',
    threads: 2,
  },
  {
    id: 'trib-full-topic-alo',
    label: 'Tributary full topic ALO',
    system: 'tributary',
    kind: 'full-topic',
    guarantee: 'alo',
  },
  {
    id: 'trib-full-parquet-alo',
    label: 'Tributary full parquet ALO',
    system: 'tributary',
    kind: 'full-parquet',
    guarantee: 'alo',
  },
  {
    id: 'ks-pass-1t-alo',
    label: 'KS pass-through 1 thread ALO',
    system: 'kstreams',
    kind: 'passthrough',
    guarantee: 'alo',
    threads: 1,
  },
  {
    id: 'trib-pass-alo',
    label: 'Tributary pass-through ALO',
    system: 'tributary',
    kind: 'passthrough',
    guarantee: 'alo',
  },
  {
    id: 'ks-full-1t-eos',
    label: 'KS full 1 thread EOS',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'eos',
    threads: 1,
  },
  {
    id: 'ks-full-2t-eos',
    label: 'KS full 2 threads EOS',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'eos',
    threads: 2,
  },
  {
    id: 'trib-full-topic-eos',
    label: 'Tributary full topic EOS',
    system: 'tributary',
    kind: 'full-topic',
    guarantee: 'eos',
  },
  {
    id: 'trib-full-parquet-eos',
    label: 'Tributary full parquet EOS',
    system: 'tributary',
    kind: 'full-parquet',
    guarantee: 'eos',
  },
  {
    id: 'ks-pass-1t-eos',
    label: 'KS pass-through 1 thread EOS',
    system: 'kstreams',
    kind: 'passthrough',
    guarantee: 'eos',
    threads: 1,
  },
  {
    id: 'trib-pass-eos',
    label: 'Tributary pass-through EOS',
    system: 'tributary',
    kind: 'passthrough',
    guarantee: 'eos',
  },
];

interface RunResult {
  peer: string;
  run: number;
  ok: boolean;
  error?: string;
  wallS: number;
  cpuS: number;
  rssMb: number;
  recPerS: number;
  cpuPer1M: number;
  gate: string;
  digest?: string;
  childReport?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

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

async function withAdmin<T>(k: Kafka, fn: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = k.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function createTopics(k: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  await withAdmin(k, (a) =>
    a.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ ...t, replicationFactor: 1 })) }),
  );
}

async function deleteRunTopics(k: Kafka, prefix: string): Promise<void> {
  await withAdmin(k, async (a) => {
    const topics = (await a.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await a.deleteTopics({ topics }).catch(() => {});
  });
}

async function committedSum(k: Kafka, group: string, topic: string): Promise<number> {
  return withAdmin(k, async (a) => {
    const res = await a.fetchOffsets({ groupId: group, topics: [topic] });
    return res.reduce((s, t) => s + t.partitions.reduce((x, p) => x + Math.max(0, Number(p.offset)), 0), 0);
  });
}

interface Row {
  campaign_id: number;
  network_id: number | null;
  campaign_name: string | null;
  minute_timestamp: number;
  view_count: number;
  avg_duration: number;
}

/** Follows a topic (read_committed) from the beginning, calling onRecord per record, until stop(). */
async function follow(
  k: Kafka,
  topic: string,
  onRecord: (key: string, value: Buffer) => void,
): Promise<() => Promise<void>> {
  const c = k.consumer({
    groupId: `bench-reader-${topic}-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) onRecord(m.key?.toString('utf8') ?? '', m.value as Buffer);
    },
  });
  return () => c.disconnect();
}

async function readParquetRows(dir: string): Promise<{ rows: Row[]; files: number }> {
  const rows: Row[] = [];
  let files = 0;
  if (!existsSync(dir)) return { rows, files };
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (!rel.endsWith('.parquet') || path.basename(rel).startsWith('.')) continue;
    files++;
    const objs = (await parquetReadObjects({
      file: await asyncBufferFromFile(path.join(dir, rel)),
    })) as Record<string, unknown>[];
    for (const o of objs) {
      const ts = o.minute_timestamp;
      rows.push({
        campaign_id: Number(o.campaign_id),
        network_id: o.network_id === null || o.network_id === undefined ? null : Number(o.network_id),
        campaign_name: (o.campaign_name as string | null) ?? null,
        minute_timestamp: ts instanceof Date ? ts.getTime() : Number(ts),
        view_count: Number(o.view_count),
        avg_duration: Number(o.avg_duration),
      });
    }
  }
  return { rows, files };
}

async function parquetRowCount(dir: string, seen: Map<string, number>): Promise<number> {
  if (!existsSync(dir)) return 0;
  const { parquetMetadataAsync } = await import('hyparquet');
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (!rel.endsWith('.parquet') || path.basename(rel).startsWith('.') || seen.has(rel)) continue;
    const md = await parquetMetadataAsync(await asyncBufferFromFile(path.join(dir, rel)));
    seen.set(rel, Number(md.num_rows));
  }
  let n = 0;
  for (const v of seen.values()) n += v;
  return n;
}

/** Per-(campaign, minute) comparison with the ground truth; also checks the join columns. */
function gateRows(
  rows: Row[],
  truth: Truth,
  campaigns: number,
): { ok: boolean; detail: string; digest: string } {
  const seen = new Map<string, Row>();
  let dup = 0;
  for (const r of rows) {
    const key = `${r.campaign_id}@${r.minute_timestamp}`;
    if (seen.has(key)) dup++;
    seen.set(key, r);
  }
  let missing = 0;
  let wrong = 0;
  let badJoin = 0;
  let extra = 0;
  let h = 0;
  for (const [key, t] of truth.windows) {
    const r = seen.get(key);
    if (!r) {
      missing++;
      continue;
    }
    if (r.view_count !== t.count || Math.abs(r.avg_duration - t.durationMs / t.count / 1000) > 1e-9) wrong++;
    const known = r.campaign_id >= 1 && r.campaign_id <= campaigns;
    const net = known ? 1 + ((r.campaign_id - 1) % 25) : null;
    if (
      r.network_id !== net ||
      (known ? r.campaign_name !== `campaign ${r.campaign_id}` : r.campaign_name !== null)
    )
      badJoin++;
    h = (h * 31 + r.view_count * 7 + Math.round(r.avg_duration * 1000)) >>> 0;
  }
  for (const key of seen.keys()) if (!truth.windows.has(key)) extra++;
  const ok = missing === 0 && wrong === 0 && badJoin === 0 && extra === 0;
  return {
    ok,
    detail: ok
      ? `${truth.windows.size} windows equal${dup ? ` (${dup} duplicate rows)` : ''}`
      : `missing ${missing}, wrong ${wrong}, bad join ${badJoin}, extra ${extra}, dup ${dup} of ${truth.windows.size}`,
    digest: h.toString(16),
  };
}

/** Pass-through output: normalized views; aggregate them per (campaign, minute) and compare. */
function gatePassThrough(
  views: { start: number; end: number; campaign_id: number }[],
  truth: Truth,
): { ok: boolean; detail: string } {
  const agg = new Map<string, { count: number; durationMs: number }>();
  for (const v of views) {
    const key = `${v.campaign_id}@${v.start - (v.start % 60_000)}`;
    const a = agg.get(key);
    if (a) {
      a.count++;
      a.durationMs += v.end - v.start;
    } else agg.set(key, { count: 1, durationMs: v.end - v.start });
  }
  let wrong = 0;
  for (const [key, t] of truth.windows) {
    const a = agg.get(key);
    if (!a || a.count !== t.count || a.durationMs !== t.durationMs) wrong++;
  }
  const extra = [...agg.keys()].filter((k) => !truth.windows.has(k)).length;
  const ok = views.length === truth.valid && wrong === 0 && extra === 0;
  return { ok, detail: `${views.length}/${truth.valid} views, ${wrong} windows differ, ${extra} extra` };
}

async function countTopic(k: Kafka, topic: string, expectAtLeast: number, ms = 10_000): Promise<number> {
  let n = 0;
  const stop = await follow(k, topic, () => {
    n++;
  });
  const until = Date.now() + ms;
  while (Date.now() < until && n < expectAtLeast) await sleep(100);
  await sleep(expectAtLeast === 0 ? 1500 : 300);
  await stop();
  return n;
}

interface Ctx {
  d: DataSet;
  truth: Truth;
  k: Kafka;
  timeoutS: number;
  commitAlo: number;
  commitEos: number;
  javaOpts: string[];
}

function childCommand(p: Peer, ctx: Ctx, ids: Record<string, string>): { cmd: string; args: string[] } {
  const input = inputTopic(ctx.d);
  const commit = p.guarantee === 'eos' ? ctx.commitEos : ctx.commitAlo;
  const full = p.kind === 'full-topic' || p.kind === 'full-parquet';
  const inputs = full ? `${input},${ids.flush}` : input;
  if (p.system === 'ceiling') {
    return {
      cmd: process.execPath,
      args: [
        '--import',
        'tsx',
        path.join(BENCH, 'src/peers/ceiling.ts'),
        '--input',
        input,
        '--expect',
        String(ctx.d.records),
        '--group',
        ids.app as string,
      ],
    };
  }
  if (p.system === 'kstreams') {
    return {
      cmd: 'java',
      args: [
        ...ctx.javaOpts,
        '-cp',
        `${KS_DIR}/target/classes:${KS_DIR}/target/lib/*`,
        'bench.Peer',
        `--mode=${p.kind === 'passthrough' ? 'passthrough' : 'full'}`,
        `--bootstrap=${BOOTSTRAP}`,
        `--app-id=${ids.app}`,
        `--input=${inputs}`,
        `--output=${ids.output}`,
        `--campaigns=${campaignsTopic(ctx.d)}`,
        `--dlq=${ids.dlq}`,
        `--threads=${p.threads ?? 1}`,
        `--commit-ms=${commit}`,
        `--guarantee=${p.guarantee === 'eos' ? 'exactly_once_v2' : 'at_least_once'}`,
        `--state-dir=${ids.dir}/state`,
        `--grace-ms=${GRACE_MS}`,
      ],
    };
  }
  const extra = process.env.BENCH_NODE_OPTS ? process.env.BENCH_NODE_OPTS.split(' ') : [];
  return {
    cmd: process.execPath,
    args: [
      ...extra,
      '--import',
      'tsx',
      path.join(BENCH, 'src/peers/tributary.ts'),
      '--mode',
      p.kind,
      '--app-id',
      ids.app as string,
      '--input',
      inputs,
      '--campaigns',
      campaignsTopic(ctx.d),
      '--output',
      p.kind === 'full-parquet' ? `${ids.dir}/parquet` : (ids.output as string),
      '--dlq',
      ids.dlq as string,
      '--late',
      ids.late as string,
      '--state-dir',
      `${ids.dir}/state`,
      '--guarantee',
      p.guarantee === 'eos' ? 'exactly-once' : 'at-least-once',
      '--commit-ms',
      String(commit),
      '--grace-ms',
      String(GRACE_MS),
    ],
  };
}

async function runOnce(p: Peer, run: number, ctx: Ctx): Promise<RunResult> {
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
  const rows = new Map<string, Row>();
  let rowCount = 0;
  const stopFollow =
    p.kind === 'full-topic'
      ? await follow(k, ids.output, (key, value) => {
          rowCount++;
          rows.set(key, JSON.parse(value.toString('utf8')) as Row);
        })
      : undefined;

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
      else if (tick % 2 === 0 || flushed) {
        if (!flushed || p.kind === 'passthrough') {
          const committed = await committedSum(k, ids.app, inputTopic(d));
          if (committed >= d.records) {
            if (p.kind === 'passthrough') done = true;
            else {
              // All input consumed and committed: now the flush records can close the last windows.
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
    recPerS: d.records / wallS,
    cpuPer1M: last.cpuS / (d.records / 1e6),
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
      if (p.kind === 'passthrough') {
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
        g = gateRows(pq.rows, truth, d.campaigns);
        g.detail += `, ${pq.files} files`;
      }
      const dlq = await countTopic(k, ids.dlq, truth.malformed);
      const late =
        p.system === 'tributary' && p.kind !== 'passthrough' ? await countTopic(k, ids.late, 0, 1000) : 0;
      const dlqOk = dlq === truth.malformed;
      res.ok = g.ok && dlqOk && late === 0;
      res.gate = `${g.detail}; DLQ ${dlq}/${truth.malformed}${late ? `; LATE ${late}` : ''}`;
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

function machineFacts(): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  let java = '';
  try {
    java = execFileSync('java', ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString() || '';
  } catch (err) {
    java = String((err as { stderr?: Buffer }).stderr ?? '');
  }
  const javaV = java || execFileSync('bash', ['-c', 'java -version 2>&1']).toString();
  return [
    `- CPU: ${os.cpus().length} x ${cpu}; RAM ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${javaV.split('\n')[0]?.trim()}; Kafka Streams 4.1.1; kafkajs 2.2.4`,
    `- Broker: local Apache Kafka 4.1 single node (tools/kafka), ${BOOTSTRAP}, on the same machine (shares the 2 cores)`,
  ];
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function summarize(peers: Peer[], results: RunResult[]) {
  return peers.map((p) => {
    const rs = results.filter((r) => r.peer === p.id);
    const ok = rs.filter((r) => r.ok);
    const use = ok.length ? ok : [];
    const pick = (f: (r: RunResult) => number) =>
      use.length
        ? { med: median(use.map(f)), min: Math.min(...use.map(f)), max: Math.max(...use.map(f)) }
        : undefined;
    return {
      peer: p,
      runs: rs.length,
      passed: ok.length,
      recPerS: pick((r) => r.recPerS),
      cpuPer1M: pick((r) => r.cpuPer1M),
      rssMb: pick((r) => r.rssMb),
      wallS: pick((r) => r.wallS),
      errors: [...new Set(rs.filter((r) => !r.ok).map((r) => r.error ?? `gate: ${r.gate}`))],
      gates: [...new Set(rs.map((r) => r.gate))],
    };
  });
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const quick = a.has('quick');
  const fullSize = a.has('full');
  const d: DataSet = {
    records: Number(a.get('records') ?? (fullSize ? 5_000_000 : 200_000)),
    partitions: Number(a.get('partitions') ?? (fullSize ? 8 : 4)),
    campaigns: Number(a.get('campaigns') ?? 1000),
  };
  const runs = Number(a.get('runs') ?? 3);
  const only = a.get('peers')?.split(',');
  const peers = only ? PEERS.filter((p) => only.includes(p.id)) : PEERS;
  const ctx: Ctx = {
    d,
    truth: undefined as unknown as Truth,
    k: kafka('bench-suite'),
    timeoutS: Number(a.get('timeout-s') ?? Math.max(180, d.records / 5_000)),
    commitAlo: Number(a.get('commit-ms') ?? 1000),
    commitEos: Number(a.get('commit-ms-eos') ?? 100),
    javaOpts: (process.env.KS_JAVA_OPTS ?? '-Xms256m -Xmx1g -XX:+UseG1GC').split(' '),
  };
  const command = `npx tsx bench/src/run-suite.ts ${process.argv.slice(2).join(' ')}`.trim();
  log(
    `suite: ${d.records} records, ${d.partitions} partitions, ${d.campaigns} campaigns, ${runs} runs, peers ${peers.map((p) => p.id).join(',')}${quick ? ' (quick)' : ''}`,
  );

  if (!a.has('no-build') && peers.some((p) => p.system === 'kstreams')) {
    log('building the Kafka Streams peer (mvn)');
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        `${KS_DIR}/pom.xml`,
        'package',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${KS_DIR}/target/lib`,
      ],
      { stdio: 'inherit' },
    );
  }
  await ensureData(d, log);
  ctx.truth = groundTruth(d);
  log(
    `ground truth: ${ctx.truth.valid} valid, ${ctx.truth.malformed} malformed, ${ctx.truth.windows.size} (campaign, minute) windows`,
  );

  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const p of peers) {
      const r = await runOnce(p, run, ctx);
      results.push(r);
      log(
        `${p.id} run ${run}: ${r.ok ? 'OK' : 'FAILED'} ${fmt(r.wallS, 1)} s, ${fmt(r.recPerS)} rec/s, cpu ${fmt(r.cpuS, 1)} s, rss ${fmt(r.rssMb)} MB; ${r.error ?? r.gate}`,
      );
      await sleep(1000);
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  const outDir = path.join(BENCH, 'results');
  mkdirSync(outDir, { recursive: true });
  const suffix = a.get('suffix') ?? (quick ? '-quick' : '');
  const stem = path.join(outDir, `${date}${suffix}`);
  writeFileSync(`${stem}.json`, JSON.stringify({ date, dataSet: d, runs, command, results }, null, 2));
  const sum = summarize(peers, results);
  const ref = (p: Peer, sys: 'kstreams', threads: number) =>
    sum.find(
      (s) =>
        s.peer.system === sys &&
        s.peer.threads === threads &&
        s.peer.guarantee === p.guarantee &&
        (s.peer.kind === 'passthrough') === (p.kind === 'passthrough'),
    );
  const ceiling = sum.find((s) => s.peer.kind === 'ceiling');
  const range = (v: { med: number; min: number; max: number } | undefined, digits = 0) =>
    v ? `${fmt(v.med, digits)} (${fmt(v.min, digits)}–${fmt(v.max, digits)})` : 'n/a';
  const ratio = (x: number | undefined, y: number | undefined) =>
    x !== undefined && y ? `${(x / y).toFixed(2)}x` : 'n/a';

  const lines: string[] = [];
  lines.push(`# Drain benchmark ${date}${quick ? ' (quick)' : ''}`, '');
  lines.push(`Command: \`${command}\``, '');
  lines.push(
    `Data: \`${inputTopic(d)}\`: ${fmt(d.records)} view-log records (${fmt(ctx.truth.valid)} valid, ${fmt(ctx.truth.malformed)} malformed), ${d.partitions} partitions, ${d.campaigns} campaigns, ${fmt(ctx.truth.windows.size)} (campaign, minute) windows; 1-minute windows, grace ${GRACE_MS / 60_000} min; commit interval ${ctx.commitAlo} ms (ALO) / ${ctx.commitEos} ms (EOS); ${runs} runs per peer, interleaved. JVM: \`${ctx.javaOpts.join(' ')}\`.`,
    '',
  );
  lines.push('Machine:', ...machineFacts(), '');
  lines.push(
    '| Peer | Gate (runs passed) | records/s median (min–max) | CPU-s per 1M records | peak RSS MB | vs KS 1 thread (records/s) | vs ceiling | CPU vs KS 1t | RSS vs KS 1t |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of sum) {
    const ks = s.peer.system === 'ceiling' ? undefined : ref(s.peer, 'kstreams', 1);
    lines.push(
      `| ${s.peer.label} | ${s.passed}/${s.runs} | ${range(s.recPerS)} | ${range(s.cpuPer1M, 1)} | ${range(s.rssMb)} | ${ratio(s.recPerS?.med, ks?.recPerS?.med)} | ${ratio(s.recPerS?.med, ceiling?.recPerS?.med)} | ${ratio(s.cpuPer1M?.med, ks?.cpuPer1M?.med)} | ${ratio(s.rssMb?.med, ks?.rssMb?.med)} |`,
    );
  }
  lines.push(
    '',
    'Ratios compare medians from this run; the Kafka Streams reference is the 1-thread peer of the same kind (full topology or pass-through) and the same guarantee.',
    '',
  );
  const tFull = sum.find((s) => s.peer.id === 'trib-full-parquet-alo');
  const tTopic = sum.find((s) => s.peer.id === 'trib-full-topic-alo');
  const ks1 = sum.find((s) => s.peer.id === 'ks-full-1t-alo');
  if (ks1 && (tFull || tTopic)) {
    lines.push(
      '## Issue #8 targets (ALO, medians)',
      '',
      '| Target | Tributary full (Parquet) | Tributary full (topic) |',
      '|---|---|---|',
    );
    const t = (f: (s: NonNullable<typeof tFull>) => string) =>
      `${tFull ? f(tFull) : 'n/a'} | ${tTopic ? f(tTopic) : 'n/a'}`;
    const mark = (v: number | undefined, ok: (v: number) => boolean) =>
      v === undefined ? 'n/a' : `${v.toFixed(2)} ${ok(v) ? 'met' : 'NOT met'}`;
    lines.push(
      `| records/s >= 1.0x KS 1 thread | ${t((s) => mark(s.recPerS && ks1.recPerS ? s.recPerS.med / ks1.recPerS.med : undefined, (v) => v >= 1))} |`,
    );
    lines.push(
      `| records/s >= 0.6x ceiling | ${t((s) => mark(s.recPerS && ceiling?.recPerS ? s.recPerS.med / ceiling.recPerS.med : undefined, (v) => v >= 0.6))} |`,
    );
    lines.push(
      `| CPU-s/1M <= 1.0x KS 1 thread | ${t((s) => mark(s.cpuPer1M && ks1.cpuPer1M ? s.cpuPer1M.med / ks1.cpuPer1M.med : undefined, (v) => v <= 1))} |`,
    );
    lines.push(
      `| peak RSS <= 0.5x KS 1 thread | ${t((s) => mark(s.rssMb && ks1.rssMb ? s.rssMb.med / ks1.rssMb.med : undefined, (v) => v <= 0.5))} |`,
      '',
    );
  }
  lines.push('## Gates and failures', '');
  for (const s of sum) {
    lines.push(`- **${s.peer.id}**: ${s.gates.join(' / ')}`);
    for (const e of s.errors) lines.push(`  - FAILED: ${e.replace(/\s+/g, ' ').slice(0, 1500)}`);
  }
  lines.push(
    '',
    `Raw per-run numbers: \`${path.basename(stem)}.json\`. Chart: \`${path.basename(stem)}.png\`.`,
    '',
  );
  writeFileSync(`${stem}.md`, lines.join('\n'));

  const bars = sum.map((s) => ({
    label: s.peer.label.replace('kafkajs raw consumer (ceiling)', 'ceiling kafkajs raw'),
    value: s.recPerS?.med ?? 0,
    min: s.recPerS?.min ?? 0,
    max: s.recPerS?.max ?? 0,
    color: s.passed === 0 ? COLORS.failed : COLORS[s.peer.system],
    ...(s.passed === 0 ? { note: 'FAILED' } : {}),
  }));
  writeFileSync(
    `${stem}.png`,
    barChart(
      `Drain throughput, records/s (median, min-max)`,
      `${fmt(d.records)} records, ${d.partitions} partitions, ${runs} runs, ${date}. Blue Tributary, orange Kafka Streams, grey ceiling`,
      'rec/s',
      bars,
    ),
  );
  log(`wrote ${stem}.md, ${stem}.png, ${stem}.json`);
  console.log(readFileSync(`${stem}.md`, 'utf8'));
  process.exit(0);
}

await main();
