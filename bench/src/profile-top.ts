/**
 * Prints the top functions by self time of a V8 .cpuprofile (from `node --cpu-prof`), and the same
 * aggregated by file.
 *
 *   npx tsx bench/src/profile-top.ts <file.cpuprofile> [--top 15] [--records N]
 *
 * With --records (the input records of the profiled run), also the self time per hot-path stage in
 * milliseconds per 1,000 records (stages: profile-categories.ts).
 */
import { readFileSync } from 'node:fs';
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
// Paths under the checkout print relative to it, wherever it is.
const REPO_ROOT = `${fileURLToPath(new URL('../..', import.meta.url))}`;
const total = [...self.values()].reduce((s, v) => s + v, 0);
const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'npm:')
    .replace(REPO_ROOT, '');
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
const agg = new Map<string, number>();
const byFile = new Map<string, number>();
const byStage = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id) as Node;
  const stage = stageOf({ functionName: n.callFrame.functionName, url: short(n.callFrame.url) });
  byStage.set(stage, (byStage.get(stage) ?? 0) + us);
  agg.set(fnKey(n), (agg.get(fnKey(n)) ?? 0) + us);
  const f = short(n.callFrame.url) || `(${n.callFrame.functionName})`;
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
