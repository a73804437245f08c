/** The suite's report: results JSON, a Markdown summary with ratios and targets, and a PNG chart. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { barChart, COLORS } from '../chart.js';
import { BOOTSTRAP, type DataSet, GRACE_MS, inputTopic, median, type Truth } from '../common.js';
import { CLICK_WINDOW_MS, clickTopic, JOIN_GRACE_MS, type JoinTruth } from '../join-data.js';
import { BENCH, kindClass, type NodePeers, type Peer } from './peers.js';
import type { RunResult } from './runner.js';

export function machineFacts(): string[] {
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

export const fmt = (n: number, digits = 0) =>
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

export interface ReportInput {
  d: DataSet;
  truth: Truth;
  join?: JoinTruth;
  runs: number;
  quick: boolean;
  suffix: string | undefined;
  command: string;
  commitAlo: number;
  commitEos: number;
  javaOpts: string[];
  nodePeers: NodePeers;
  peers: Peer[];
  results: RunResult[];
}

/** Writes `bench/results/<date><suffix>.{json,md,png}`; returns the path stem. */
export function writeReport(r: ReportInput): string {
  const { d, runs, quick, command, peers, results } = r;
  const ctx = { truth: r.truth, commitAlo: r.commitAlo, commitEos: r.commitEos, javaOpts: r.javaOpts };
  const date = new Date().toISOString().slice(0, 10);
  const outDir = path.join(BENCH, 'results');
  mkdirSync(outDir, { recursive: true });
  const suffix = r.suffix ?? (quick ? '-quick' : '');
  const stem = path.join(outDir, `${date}${suffix}`);
  writeFileSync(
    `${stem}.json`,
    JSON.stringify({ date, dataSet: d, runs, command, nodePeers: r.nodePeers, results }, null, 2),
  );
  const sum = summarize(peers, results);
  const ref = (p: Peer, sys: 'kstreams', threads: number) =>
    sum.find(
      (s) =>
        s.peer.system === sys &&
        s.peer.threads === threads &&
        s.peer.guarantee === p.guarantee &&
        kindClass(s.peer.kind) === kindClass(p.kind),
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
    `Data: \`${inputTopic(d)}\`: ${fmt(d.records)} view-log records (${fmt(ctx.truth.valid)} valid, ${fmt(ctx.truth.malformed)} malformed), ${d.partitions} partitions, ${d.campaigns} campaigns, ${fmt(ctx.truth.windows.size)} (campaign, minute) windows; 1-minute windows, grace ${GRACE_MS / 60_000} min; commit interval ${ctx.commitAlo} ms (ALO) / ${ctx.commitEos} ms (EOS); ${runs} runs per peer, interleaved. JVM: \`${ctx.javaOpts.join(' ')}\`. Node peers: ${r.nodePeers === 'tsx' ? 'from source through the tsx loader (--tsx-peers)' : 'the esbuild bundles in bench/dist/peers (plain node)'}.`,
    '',
  );
  if (r.join) {
    lines.push(
      `Join rows: \`${inputTopic(d)}\` joined with \`${clickTopic(d)}\` (${fmt(r.join.clicks)} clicks) on view_id, click within [view, view + ${CLICK_WINDOW_MS / 60_000} min], join grace ${JOIN_GRACE_MS / 60_000} min, both sides repartitioned; ${fmt(r.join.pairs.size)} (view, click) results; records/s and CPU count views + clicks (${fmt(r.join.views + r.join.clicks)} records).`,
      '',
    );
  }
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
    'Ratios compare medians from this run; the Kafka Streams reference is the 1-thread peer of the same kind (full topology, pass-through or stream-stream join) and the same guarantee.',
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
  return stem;
}
