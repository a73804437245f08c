/**
 * Chaos harness (issue 7): N campaign-views `streams` processes on the real broker, random SIGKILLs
 * and restarts (sometimes with a wiped state dir), one instance added and one removed with SIGTERM,
 * all while a producer writes the view log; then the Parquet output is compared row by row with the
 * ground truth computed from the generated records.
 *
 *   npx tsx bench/src/chaos/run.ts [--instances 3] [--kills 10] [--guarantee exactly-once]
 *       [--records 60000] [--partitions 6] [--seed 1] [--chunks 20] [--chunk-interval-ms 6000]
 *       [--idle-timeout-ms 20000] [--grace-ms 1200000] [--commit-interval-ms 200]
 *       [--work-dir /tmp/chaos-<id>] [--keep] [--no-report]
 *
 * The chaos schedule (kill times, victims, restart delays, wiped state dirs) and the data come from
 * --seed, so a run is reproducible up to the scheduling of the processes by the OS.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';

process.env.KAFKA_BOOTSTRAP_SERVERS ??= '127.0.0.1:19092';

const { CHAOS_CLI } = await import('../cli.js');
// Flags first: a bad one exits 2 here, before the broker is touched.
const { values: a } = parseCliOrExit(CHAOS_CLI.usage, () => parseFlags(CHAOS_CLI, process.argv.slice(2)));

const { DEFAULT_CAMPAIGNS_CSV, ensureTopics, loadCampaigns, prng, produceViews, readCampaigns } =
  await import('@tributary/app-campaign-views');
const { consumeAll, deleteTopics, waitForCommittedToEnd, withAdmin } = await import('@tributary/testkit');
const { Instance } = await import('./instances.js');
const { compare, describeFailure, groundTruth, listFiles, readRows } = await import('./verify.js');
type GeneratedView = import('@tributary/app-campaign-views').GeneratedView;
type InstanceT = import('./instances.js').Instance;

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const N = a.instances;
const KILLS = a.kills;
const RECORDS = a.records;
const PARTITIONS = a.partitions;
const SEED = a.seed;
const CHUNKS = a.chunks;
const CHUNK_MS = a['chunk-interval-ms'];
const IDLE_MS = a['idle-timeout-ms'];
const GRACE_MS = a['grace-ms'];
const COMMIT_MS = a['commit-interval-ms'];
const GUARANTEE = a.guarantee;
const COMMAND = ['npx tsx bench/src/chaos/run.ts', ...process.argv.slice(2)].join(' ');

const runId = `${new Date().toISOString().slice(0, 10)}-s${SEED}-${Math.random().toString(36).slice(2, 8)}`;
const WORK = a['work-dir'] ?? join('/tmp', `chaos-${runId}`);
const OUTPUT = join(WORK, 'out');
const LOGS = join(WORK, 'logs');
mkdirSync(OUTPUT, { recursive: true });
mkdirSync(LOGS, { recursive: true });
const bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;
const input = `chaos-view-log-${runId}`;
const campaignsTopic = `chaos-campaigns-${runId}`;
const applicationId = `chaos-cv-${runId}`;

const t0 = Date.now();
const since = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
const events: string[] = [];
const log = (msg: string) => {
  const line = `[${since()}s] ${msg}`;
  events.push(line);
  console.log(line);
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

log(
  `chaos run ${runId}: ${N} instances, ${KILLS} kills, ${RECORDS} records, ${PARTITIONS} partitions, ${GUARANTEE}`,
);
log(`work dir ${WORK}; app ${applicationId}; input ${input}`);

const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
await ensureTopics({
  bootstrapServers: bootstrap,
  inputTopic: input,
  campaignsTopic,
  partitions: PARTITIONS,
});
await loadCampaigns({ bootstrapServers: bootstrap, topic: campaignsTopic, campaigns });

const cfg = {
  repoRoot: REPO,
  logDir: LOGS,
  bootstrapServers: bootstrap,
  inputTopic: input,
  campaignsTopic,
  partitions: PARTITIONS,
  outputDir: OUTPUT,
  applicationId,
  guarantee: GUARANTEE,
  graceMs: GRACE_MS,
  idleTimeoutMs: IDLE_MS,
  commitIntervalMs: COMMIT_MS,
};
const all: InstanceT[] = [];
const active = new Set<InstanceT>(); // members of the deployment (running, or killed and due to restart)
const newInstance = () => {
  const inst = new Instance(`i${all.length + 1}`, join(WORK, `state-i${all.length + 1}`), cfg);
  all.push(inst);
  active.add(inst);
  inst.start();
  return inst;
};
for (let i = 0; i < N; i++) newInstance();
log(`started ${all.map((i) => i.name).join(', ')}`);

// ---- chaos schedule, all from the seed ----
const rnd = prng(SEED * 7919 + 17);
const productionMs = CHUNKS * CHUNK_MS;
type Action = { at: number; kind: 'kill' | 'add' | 'remove'; pick: number; delayMs: number; wipe: boolean };
const schedule: Action[] = [];
for (let i = 0; i < KILLS; i++)
  schedule.push({
    at: productionMs * (0.05 + (0.85 * (i + rnd())) / Math.max(1, KILLS)),
    kind: 'kill',
    pick: rnd(),
    delayMs: 300 + Math.floor(rnd() * 2700),
    wipe: rnd() < 0.25,
  });
schedule.push({ at: productionMs * 0.33, kind: 'add', pick: 0, delayMs: 0, wipe: false });
schedule.push({ at: productionMs * 0.62, kind: 'remove', pick: rnd(), delayMs: 0, wipe: false });
schedule.sort((x, y) => x.at - y.at);

const stats = { kills: 0, restarts: 0, wipedRestarts: 0, added: 0, removed: 0, removedExit: [] as string[] };
const restarts = new Set<Promise<void>>();
const running = () => all.filter((i) => i.alive && active.has(i));

async function chaos(startedAt: number) {
  for (const act of schedule) {
    await sleep(startedAt + act.at - Date.now());
    if (act.kind === 'add') {
      const inst = newInstance();
      stats.added += 1;
      log(`ADD ${inst.name}`);
      continue;
    }
    // Wait for a victim if every instance is down (restart pending).
    let candidates = running();
    while (candidates.length === 0) {
      await sleep(200);
      candidates = running();
    }
    const victim = candidates[Math.floor(act.pick * candidates.length)] as InstanceT;
    if (act.kind === 'remove') {
      active.delete(victim);
      stats.removed += 1;
      log(`REMOVE ${victim.name} (SIGTERM)`);
      const exit = await victim.stop(60_000);
      stats.removedExit.push(
        `${victim.name}: code ${exit.code}${exit.timedOut ? ' (timed out, SIGKILLed)' : ''}`,
      );
      log(
        `removed ${victim.name} exited code=${exit.code} signal=${exit.signal}${exit.timedOut ? ' TIMED OUT' : ''}`,
      );
      continue;
    }
    const upMs = Date.now() - victim.startedAt;
    await victim.kill('SIGKILL');
    stats.kills += 1;
    log(
      `KILL #${stats.kills} ${victim.name} (gen ${victim.gen}, up ${upMs} ms); restart in ${act.delayMs} ms${act.wipe ? ' with WIPED state dir' : ''}`,
    );
    const p = (async () => {
      await sleep(act.delayMs);
      if (act.wipe) {
        rmSync(victim.stateDir, { recursive: true, force: true });
        stats.wipedRestarts += 1;
      }
      victim.start(act.wipe);
      stats.restarts += 1;
      log(`RESTART ${victim.name} gen ${victim.gen}${act.wipe ? ' (wiped)' : ''}`);
    })();
    restarts.add(p);
    void p.finally(() => restarts.delete(p));
  }
}

// ---- production, event time one minute per chunk ----
const START_MS = Date.UTC(2025, 10, 6, 9, 0, 0);
const sent: GeneratedView[] = [];
const prodStart = Date.now();
const chaosDone = chaos(prodStart);
const perChunk = Math.ceil(RECORDS / CHUNKS);
for (let c = 0; c < CHUNKS; c++) {
  const count = Math.min(perChunk, RECORDS - c * perChunk);
  if (count <= 0) break;
  const batch = await produceViews({
    bootstrapServers: bootstrap,
    topic: input,
    campaigns,
    count,
    seed: SEED * 1000 + c,
    startMs: START_MS + c * 60_000,
    spanMs: 60_000,
    // Spread each chunk over its interval, so the stream never goes quiet while production runs.
    rate: Math.ceil(count / ((CHUNK_MS * 0.8) / 1000)),
    malformed: 0.01,
    unknownCampaigns: 0.01,
  });
  for (const v of batch) sent.push(v);
  await sleep(prodStart + (c + 1) * CHUNK_MS - Date.now());
}
log(`produced ${sent.length} records in ${CHUNKS} chunks`);
await chaosDone;
await Promise.all([...restarts]);
const prodEnd = Date.now();

// ---- drain ----
const truth = groundTruth(sent);
log(
  `deployment now: ${running()
    .map((i) => `${i.name}/g${i.gen}`)
    .join(', ')}; waiting for committed offsets to reach the end`,
);
const drained = await waitForCommittedToEnd(applicationId, input, 240_000);
log(`committed to end: ${drained}`);
// Idle close emits the last minute(s) after IDLE_MS of quiet; wait until the output holds every key.
let rows = await readRows(OUTPUT);
const idleDeadline = Date.now() + IDLE_MS + 60_000;
while (Date.now() < idleDeadline) {
  const keys = new Set(rows.map((r) => `${r.campaign_id}@${r.minute_timestamp}`));
  if ([...truth.keys()].every((k) => keys.has(k))) break;
  await sleep(1000);
  rows = await readRows(OUTPUT);
}
await sleep(IDLE_MS + 4 * COMMIT_MS);
const drainEnd = Date.now();

// ---- stop everyone, expect exit 0 ----
const exits: string[] = [];
let badExit = false;
await Promise.all(
  running().map(async (i) => {
    const e = await i.stop(60_000);
    exits.push(
      `${i.name}/g${i.gen}: code ${e.code}${e.signal ? ` signal ${e.signal}` : ''}${e.timedOut ? ' (timed out)' : ''}`,
    );
    if (e.code !== 0 || e.timedOut) badExit = true;
  }),
);
log(`stopped: ${exits.join('; ')}`);
if (stats.removedExit.some((s) => !s.endsWith('code 0'))) badExit = true;

// ---- compare ----
rows = await readRows(OUTPUT);
const files = await listFiles(OUTPUT);
const cmp = compare(truth, rows, campaigns);
// Views routed to the late side output: under exactly-once every missing count must be one of them.
const late = await consumeAll(`${input}-late`, { idleMs: 1500, timeoutMs: 20_000, readCommitted: true });
const shortfall =
  cmp.missing.reduce((s, m) => s + m.count, 0) +
  cmp.wrong.reduce((s, w) => s + Math.max(0, w.truth.count - w.row.view_count), 0);
const totalMs = Date.now() - t0;

// ---- restore figures from the instances' logs ----
interface Restore {
  instance: string;
  gen: number;
  wiped: boolean;
  taskId: string;
  store: string;
  restored: number;
  elapsedMs: number;
}
const restores: Restore[] = [];
const rebalancePauses: number[] = [];
const logIssues: string[] = [];
for (const inst of all)
  for (const l of inst.logs) {
    let text = '';
    try {
      text = readFileSync(l.file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) {
        if (/error/i.test(line)) logIssues.push(`${inst.name}/g${l.gen}: ${line.slice(0, 200)}`);
        continue;
      }
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (o.msg === 'store restored')
        restores.push({
          instance: inst.name,
          gen: l.gen,
          wiped: l.wiped,
          taskId: String(o.taskId),
          store: String(o.store),
          restored: Number(o.restored),
          elapsedMs: Number(o.elapsedMs),
        });
      else if (o.msg === 'rebalance completed' && typeof o.pauseMs === 'number')
        rebalancePauses.push(o.pauseMs);
      else if (o.level === 'error') logIssues.push(`${inst.name}/g${l.gen}: ${line.slice(0, 300)}`);
    }
  }
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
};
const nonEmpty = restores.filter((r) => r.restored > 0);
const elapsed = nonEmpty.map((r) => r.elapsedMs);
const restoredRecords = nonEmpty.reduce((s, r) => s + r.restored, 0);
const maxRestore = nonEmpty.reduce<Restore | undefined>(
  (m, r) => (!m || r.elapsedMs > m.elapsedMs ? r : m),
  undefined,
);

const ok = late.length === 0 && cmp.ok && files.tmp.length === 0 && !badExit && drained;
const fmt = (n: number) => n.toLocaleString('en-US');
const summary = [
  `| figure | value |`,
  `| --- | --- |`,
  `| result | ${ok ? 'PASS' : 'FAIL'} |`,
  `| guarantee | ${GUARANTEE} |`,
  `| instances | ${N} at start, +${stats.added} added, -${stats.removed} removed (SIGTERM) |`,
  `| records produced | ${fmt(sent.length)} (${fmt(sent.filter((v) => v.kind === 'valid').length)} valid, ${fmt(sent.filter((v) => v.kind === 'malformed').length)} malformed -> DLQ) over ${CHUNKS} event-time minutes, ${PARTITIONS} partitions |`,
  `| SIGKILLs | ${stats.kills} |`,
  `| restarts | ${stats.restarts} (${stats.wipedRestarts} with a wiped state dir) |`,
  `| output rows / ground truth rows | ${fmt(cmp.outputRows)} / ${fmt(cmp.truthRows)} |`,
  `| duplicates / missing / unexpected / wrong | ${cmp.duplicates.length} / ${cmp.missing.length} / ${cmp.unexpected.length} / ${cmp.wrong.length} |`,
  `| views in the late side output / views missing from the output | ${fmt(late.length)} / ${fmt(shortfall)} |`,
  `| Parquet files / leftover .tmp files | ${files.parquet.length} / ${files.tmp.length} |`,
  `| committed offsets reached the end | ${drained} |`,
  `| final SIGTERM exits | ${exits.join('; ')}${stats.removedExit.length ? `; removed ${stats.removedExit.join('; ')}` : ''} |`,
  `| store restores (non-empty / all) | ${nonEmpty.length} / ${restores.length}, ${fmt(restoredRecords)} changelog records |`,
  `| restore time (non-empty) p50 / p90 / max | ${pct(elapsed, 0.5)} / ${pct(elapsed, 0.9)} / ${pct(elapsed, 1)} ms${maxRestore ? ` (max: ${maxRestore.instance}/g${maxRestore.gen} ${maxRestore.taskId} ${maxRestore.store}, ${fmt(maxRestore.restored)} records${maxRestore.wiped ? ', wiped state' : ''})` : ''} |`,
  `| restore time after wiped state dir, max | ${Math.max(0, ...nonEmpty.filter((r) => r.wiped).map((r) => r.elapsedMs))} ms |`,
  `| rebalance pauses (announced -> tasks running, incl. restore) p50 / p90 / max | ${pct(rebalancePauses, 0.5)} / ${pct(rebalancePauses, 0.9)} / ${pct(rebalancePauses, 1)} ms over ${rebalancePauses.length} rebalances |`,
  `| error log lines | ${logIssues.length} |`,
  `| production / drain+idle close / total | ${((prodEnd - prodStart) / 1000).toFixed(1)} s / ${((drainEnd - prodEnd) / 1000).toFixed(1)} s / ${(totalMs / 1000).toFixed(1)} s |`,
].join('\n');

console.log(`\n${summary}\n`);
const failure = cmp.ok ? '' : describeFailure(cmp);
if (!cmp.ok) console.log(failure);
if (files.tmp.length) console.log(`leftover temp files:\n  ${files.tmp.join('\n  ')}`);
if (logIssues.length) console.log(`error log lines (first 20):\n  ${logIssues.slice(0, 20).join('\n  ')}`);

if (!a['no-report']) {
  const resultsDir = join(REPO, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `chaos-${new Date().toISOString().slice(0, 10)}.md`);
  const md = [
    `# Chaos run ${runId}`,
    '',
    `Reproduce (local broker: \`bash tools/kafka/kafka.sh start\`):`,
    '',
    '```bash',
    COMMAND,
    '```',
    '',
    `Machine: ${(await import('node:os')).cpus().length} CPUs, Node ${process.version}. Each instance is a \`campaign-views streams\` child process (\`--guarantee ${GUARANTEE} --commit-interval-ms ${COMMIT_MS} --grace-ms ${GRACE_MS} --idle-timeout-ms ${IDLE_MS}\`), own state dir, shared Parquet output dir.`,
    '',
    summary,
    '',
    ...(failure ? ['## Comparison failure', '', '```', failure, '```', ''] : []),
    ...(logIssues.length
      ? ['## Error log lines (first 20)', '', '```', ...logIssues.slice(0, 20), '```', '']
      : []),
    '## Timeline',
    '',
    '```',
    ...events,
    '```',
    '',
  ].join('\n');
  writeFileSync(file, md);
  console.log(`wrote ${file}`);
}

if (ok && !a.keep) {
  rmSync(WORK, { recursive: true, force: true });
  await withAdmin(async (admin) => {
    const names = (await admin.listTopics()).filter((t) => t.includes(runId));
    if (names.length) await deleteTopics(names);
  }).catch(() => {});
} else console.log(`kept ${WORK} and the topics (*${runId}*) for inspection`);
process.exit(ok ? 0 : 1);
