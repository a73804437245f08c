/**
 * Prints the top functions by self time of a V8 .cpuprofile (from `node --cpu-prof`), and the same
 * aggregated by file.
 *
 *   npx tsx bench/src/profile-top.ts <file.cpuprofile> [--top 15] [--records N]
 *
 * With --records (the input records of the profiled run), also the self time per hot-path stage in
 * milliseconds per 1,000 records (stages: profile-categories.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliOrExit, parseFlags, UsageError } from '@tributary/app-kit';
import { PROFILE_TOP_CLI } from './cli.js';
import { perThousandRecords, stageOf } from './profile-categories.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseCliOrExit(PROFILE_TOP_CLI.usage, () => {
  const parsed = parseFlags(PROFILE_TOP_CLI, process.argv.slice(2));
  if (parsed.positionals.length !== 1 || !parsed.positionals[0]?.endsWith('.cpuprofile'))
    throw new UsageError('expected one <file.cpuprofile>');
  return parsed;
});
const file = positionals[0] as string;
const top = values.top;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
// Self time per node from samples x time deltas (more exact than hitCount x interval).
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) {
  const id = p.samples[i] as number;
  self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((s, v) => s + v, 0);
const repo = `${path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')}/`;
const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'npm:')
    .replace(repo, '');
// The bench's peers run as bundles (bench/dist, `pnpm build`): a frame in a bundle is mapped back to
// its source file and line through the bundle's source map, so the tables name src/*.ts files as
// they do for a run from source (--tsx-peers).
const maps = new Map<string, SourceMap | undefined>();
function sourceMapOf(url: string): SourceMap | undefined {
  if (!url.startsWith('file://') || !url.endsWith('.js')) return undefined;
  if (!maps.has(url)) {
    const file = `${fileURLToPath(url)}.map`;
    maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  return maps.get(url);
}
/** The frame's file URL and 0-based line, in the source when the file is a bundle with a map. */
function where(n: Node): { url: string; line: number } {
  const { url, lineNumber, columnNumber } = n.callFrame;
  const e = sourceMapOf(url)?.findEntry(lineNumber, columnNumber);
  return e && 'originalSource' in e
    ? { url: new URL(e.originalSource, url).href, line: e.originalLine }
    : { url, line: lineNumber };
}
const fnKey = (n: Node) => {
  const w = where(n);
  return `${n.callFrame.functionName || '(anonymous)'} ${short(w.url)}${w.url ? `:${w.line + 1}` : ''}`;
};
const agg = new Map<string, number>();
const byFile = new Map<string, number>();
const byStage = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id) as Node;
  const stage = stageOf({ functionName: n.callFrame.functionName, url: short(where(n).url) });
  byStage.set(stage, (byStage.get(stage) ?? 0) + us);
  agg.set(fnKey(n), (agg.get(fnKey(n)) ?? 0) + us);
  const f = short(where(n).url) || `(${n.callFrame.functionName})`;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled, ${p.samples.length} samples`);
console.log(`\nTop ${top} functions by self time:`);
for (const [k, us] of [...agg].sort((x, y) => y[1] - x[1]).slice(0, top))
  console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
console.log(`\nTop ${top} files by self time:`);
for (const [k, us] of [...byFile].sort((x, y) => y[1] - x[1]).slice(0, top))
  console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
if (values.records !== undefined) {
  console.log(`\nSelf time per stage, ms per 1,000 of ${values.records} input records:`);
  for (const [stage, ms, share] of perThousandRecords(byStage, values.records))
    console.log(`${(100 * share).toFixed(1).padStart(5)}% ${ms.toFixed(2).padStart(8)} ms  ${stage}`);
}
