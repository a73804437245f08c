/** The scale curves' report: raw JSON, Markdown tables per curve and one PNG chart (chart.ts). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';
import { type Bar, barChart } from './chart.js';
import { type Curve, SCALE_REPORT_CLI } from './cli.js';
import type { Point } from './scale-plan.js';
import { BENCH } from './suite/peers.js';
import { fmt, machineFacts } from './suite/report.js';
import type { RunResult } from './suite/runner.js';

export interface RestoreResult {
  ok: boolean;
  error?: string;
  /** Changelog records read by every store restore of the fresh instance. */
  restored: number;
  /** First restore start to last restore end. */
  restoreWallS: number;
  recPerS: number;
  /** Process spawn to the last restore end (includes start-up and group join). */
  startToRestoredS: number;
  cpuS: number;
  rssMb: number;
  stores: Record<string, { restored: number; partitions: number; maxElapsedMs: number }>;
}

export interface ScalePointResult {
  point: Point;
  /** Distinct (campaign, minute) windows of the data set (the gate checks every one). */
  windows: number;
  /** 1-minute load average when the run started and when it ended (the machine is shared). */
  load1: number;
  load1End?: number;
  run: RunResult;
  restoreResult?: RestoreResult;
}

const CURVE_COLOR: Record<Curve, readonly [number, number, number]> = {
  input: [46, 117, 182],
  windows: [39, 174, 96],
  instances: [142, 68, 173],
  restore: [230, 126, 34],
};

const k = (n: number) =>
  n >= 1e6 ? `${fmt(n / 1e6, n % 1e6 ? 1 : 0)}M` : n >= 1e3 ? `${fmt(n / 1e3, n % 1e3 ? 1 : 0)}k` : `${n}`;

function row(r: ScalePointResult, first: string): string {
  const x = r.run;
  const gate = x.ok ? 'pass' : `FAILED: ${x.error ?? x.gate}`;
  return `| ${first} | ${fmt(r.point.records)} | ${fmt(r.point.campaigns)} | ${fmt(r.windows)} | ${fmt(x.wallS, 1)} | ${x.drainS !== undefined ? fmt(r.point.records / x.drainS) : ''} | ${fmt(x.recPerS)} | ${fmt(x.cpuS, 1)} | ${fmt(x.cpuPer1M, 1)} | ${x.startCpuS !== undefined ? fmt(x.startCpuS, 1) : ''} | ${x.startCpuS !== undefined ? fmt((x.cpuS - x.startCpuS) / (r.point.records / 1e6), 1) : ''} | ${fmt(x.rssMb)} | ${fmt(r.load1, 1)} / ${r.load1End !== undefined ? fmt(r.load1End, 1) : ''} | ${gate} |`;
}
const HEAD = [
  '| records | campaigns | windows | wall s | drain rec/s | records/s | CPU-s | CPU-s per 1M | start-up CPU-s | CPU-s per 1M after start-up | peak RSS MB | load1 start / end | gate |',
  '| ------: | --------: | ------: | -----: | ----------: | --------: | ----: | -----------: | -------------: | --------------------------: | ----------: | ----------------: | ---- |',
];

export function scaleTables(results: readonly ScalePointResult[]): string[] {
  const lines: string[] = [];
  const of = (c: Curve) => results.filter((r) => r.point.curves.includes(c));
  const table = (title: string, c: Curve, firstCol: string, first: (r: ScalePointResult) => string) => {
    const rs = of(c);
    if (!rs.length) return;
    lines.push(`### ${title}`, '', `| ${firstCol} ${HEAD[0]}`, `| --- ${HEAD[1]}`);
    for (const r of rs) lines.push(row(r, first(r)));
    lines.push('');
  };
  table('Input size', 'input', 'input', (r) => k(r.point.records));
  table('Windows in the store', 'windows', 'windows', (r) => k(r.windows));
  table('Instances (one application id)', 'instances', 'processes', (r) => String(r.point.instances));
  const multi = of('instances').filter((r) => r.run.processes);
  if (multi.length) {
    lines.push('Per process (CPU-s, peak RSS MB):', '');
    for (const r of multi)
      lines.push(
        `- ${r.point.instances} processes: ${(r.run.processes ?? []).map((p) => `${fmt(p.cpuS, 1)} s / ${fmt(p.rssMb)} MB`).join(', ')}`,
      );
    lines.push('');
  }
  const rest = results.filter((r) => r.restoreResult);
  if (rest.length) {
    lines.push(
      '### Restore from the changelog (fresh instance, empty state dir)',
      '',
      '| windows | changelog records restored | restore wall s | restore records/s | spawn to restored s | CPU-s | peak RSS MB | stores (records, partitions) | result |',
      '| ------: | -------------------------: | -------------: | ----------------: | ------------------: | ----: | ----------: | ---------------------------- | ------ |',
    );
    for (const r of rest) {
      const x = r.restoreResult as RestoreResult;
      const stores = Object.entries(x.stores)
        .map(([s, v]) => `${s}: ${fmt(v.restored)}, ${v.partitions}`)
        .join('; ');
      lines.push(
        `| ${fmt(r.windows)} | ${fmt(x.restored)} | ${fmt(x.restoreWallS, 1)} | ${fmt(x.recPerS)} | ${fmt(x.startToRestoredS, 1)} | ${fmt(x.cpuS, 1)} | ${fmt(x.rssMb)} | ${stores} | ${x.ok ? 'ok' : `FAILED: ${x.error}`} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** One bar per run: CPU-s per 1M records (the flatness figure), records/s in the note. */
export function scaleBars(results: readonly ScalePointResult[]): Bar[] {
  const bars: Bar[] = [];
  for (const c of ['input', 'windows', 'instances'] as const)
    for (const r of results.filter((x) => x.point.curves.includes(c))) {
      const label =
        c === 'input'
          ? `input ${k(r.point.records)}`
          : c === 'windows'
            ? `windows ${k(r.windows)}`
            : `${r.point.instances} process${r.point.instances > 1 ? 'es' : ''}`;
      const v = r.run.ok ? r.run.cpuPer1M : 0;
      bars.push({
        label,
        value: v,
        min: v,
        max: v,
        color: r.run.ok ? CURVE_COLOR[c] : [200, 40, 40],
        note: r.run.ok ? `${fmt(r.run.cpuPer1M, 1)} CPU-S/1M, ${fmt(r.run.recPerS)} REC/S` : 'FAILED',
      });
    }
  return bars;
}

export function writeScaleReport(r: {
  results: ScalePointResult[];
  partitions: number;
  suffix: string;
  /** The command lines that measured these results (several when files were merged). */
  commands: string[];
}): string {
  const date = new Date().toISOString().slice(0, 10);
  const outDir = path.join(BENCH, 'results');
  mkdirSync(outDir, { recursive: true });
  const stem = path.join(outDir, `${date}${r.suffix}`);
  writeFileSync(
    `${stem}.json`,
    JSON.stringify({ date, commands: r.commands, partitions: r.partitions, results: r.results }, null, 2),
  );
  const lines = [
    `# Scale curves, ${date}`,
    '',
    `Command${r.commands.length > 1 ? 's' : ''}: ${r.commands.map((c) => `\`${c}\``).join(', ')}. Peer \`trib-full-topic-alo\` (campaign-views, full topology to a topic, at-least-once, commit 1000 ms, LevelDB), ${r.partitions} input partitions, one run per point, correctness gate on for every run.`,
    '',
    ...machineFacts(),
    '',
    ...scaleTables(r.results),
    `Raw numbers: \`${path.basename(stem)}.json\`. Chart: \`${path.basename(stem)}.png\`.`,
    '',
  ];
  writeFileSync(`${stem}.md`, lines.join('\n'));
  const bars = scaleBars(r.results);
  if (bars.length)
    writeFileSync(
      `${stem}.png`,
      barChart(
        'Tributary scale curves: CPU-s per 1M records',
        `full topology to a topic, ALO, ${r.partitions} partitions, one run per point, 2-core shared VM`,
        'CPU-s',
        bars,
      ),
    );
  return stem;
}

/**
 * Merges the results of several scale.ts runs into one report (tables, chart, JSON):
 *   npx tsx bench/src/scale-report.ts a.json b.json [--suffix -scale]
 */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseCliOrExit(SCALE_REPORT_CLI.usage, () =>
    parseFlags(SCALE_REPORT_CLI, process.argv.slice(2)),
  );
  const files = positionals.map(
    (f) =>
      JSON.parse(readFileSync(f, 'utf8')) as {
        commands?: string[];
        command?: string;
        partitions: number;
        results: ScalePointResult[];
      },
  );
  const stem = writeScaleReport({
    results: files.flatMap((f) => f.results),
    partitions: files[0]?.partitions ?? 8,
    suffix: values.suffix,
    commands: files.flatMap((f) => f.commands ?? (f.command ? [f.command] : [])),
  });
  console.log(`wrote ${stem}.md, ${stem}.png, ${stem}.json`);
}
