/**
 * Memory under hostile input (issue 21): campaign-views, through its own CLI in a child process,
 * reads a view log of valid views mixed with hostile records (the shared hostile kinds, including
 * ~1 MB garbage values), once per size. Its peak RSS (VmHWM) is compared across the sizes: memory is
 * bounded when the peak does not grow with the number of hostile records. Every run must also put
 * every hostile record in the DLQ and keep running until its input is committed to the end.
 *
 *   npx tsx bench/src/hostile-memory.ts [--hostile 10000,100000] [--valid 5000] [--near-limit 10]
 *     [--max-old-space-mb 256]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_CAMPAIGNS_CSV,
  ensureTopics,
  loadCampaigns,
  readCampaigns,
} from '@tributary/app-campaign-views';
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';
import { byteBatches, fuzzRecords, GENERIC_HOSTILE } from '@tributary/app-kit/testing';
import { consumeAll, testProducer, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { counts, HOSTILE_MEMORY_CLI } from './cli.js';

const { values: a, sizes } = parseCliOrExit(HOSTILE_MEMORY_CLI.usage, () => {
  const parsed = parseFlags(HOSTILE_MEMORY_CLI, process.argv.slice(2));
  return { ...parsed, sizes: counts(parsed.values.hostile, 'hostile') };
});
const servers = a['bootstrap-servers'];
process.env.KAFKA_BOOTSTRAP_SERVERS = servers;
const repo = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak (VmHWM) or current (VmRSS) resident set of a process, MB. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function runOnce(hostileCount: number) {
  const input = uniqueName('hostile-mem-views');
  const campaignsTopic = uniqueName('hostile-mem-campaigns');
  const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
  const ids = campaigns.map((c) => c.campaign_id);
  await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 3 });
  await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
  const startMs = Date.UTC(2025, 10, 6, 12, 0, 0);
  const now = Date.now();
  const records = fuzzRecords({
    seed: 31,
    validCount: a.valid,
    hostileCount,
    nearLimit: a['near-limit'],
    kinds: GENERIC_HOSTILE,
    now,
    makeValid: (i, rnd) => {
      const start = startMs + Math.floor((i * 5 * 60_000) / a.valid / 1000) * 1000;
      return {
        view_id: `v-${i}`,
        start_timestamp: start,
        end_timestamp: start + 1000 * (1 + Math.floor(rnd() * 60)),
        banner_id: 1 + Math.floor(rnd() * 40),
        campaign_id: ids[Math.floor(rnd() * ids.length)] as number,
      };
    },
  });
  const hostile = records.filter((r) => r.kind !== 'valid').length;
  const producer = testProducer(undefined, { idempotent: true });
  await producer.connect();
  for (const batch of byteBatches(records))
    await producer.send({
      topic: input,
      acks: -1,
      messages: batch.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) })),
    });
  await producer.disconnect();

  const applicationId = uniqueName('hostile-mem-app');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(a['max-old-space-mb'] ? [`--max-old-space-size=${a['max-old-space-mb']}`] : []),
      '--import',
      'tsx',
      join(repo, 'apps/campaign-views/src/main.ts'),
      'streams',
      ...['--bootstrap-servers', servers, '--input-topic', input, '--campaigns-topic', campaignsTopic],
      ...['--output', mkdtempSync(join(tmpdir(), 'hostile-mem-out-'))],
      ...['--state-dir', mkdtempSync(join(tmpdir(), 'hostile-mem-state-'))],
      ...['--application-id', applicationId, '--log-level', 'error'],
    ],
    { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const t0 = Date.now();
  let peak = 0;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  // The current RSS every 2 s too: a flat line after the first seconds is bounded memory, a line that
  // keeps rising with the records read is not.
  const series: number[] = [];
  let ticks = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(child.pid as number) ?? 0);
    if (ticks++ % 10 === 0) series.push(Math.round(rssMb(child.pid as number, 'VmRSS') ?? 0));
  }, 200);
  const committed = await waitForCommittedToEnd(applicationId, input, 600_000);
  const seconds = (Date.now() - t0) / 1000;
  peak = Math.max(peak, rssMb(child.pid as number) ?? 0);
  clearInterval(sampler);
  const stillRunning = exited === undefined;
  child.kill('SIGTERM');
  while (exited === undefined) await sleep(100);
  const dlq = await consumeAll(`${input}-dlq`, { count: hostile, idleMs: 3000, timeoutMs: 60_000 });
  return {
    hostileCount,
    hostile,
    valid: a.valid,
    committed,
    stillRunning,
    seconds,
    peak,
    dlq: dlq.length,
    series,
  };
}

const rows = [];
for (const n of sizes) {
  const r = await runOnce(n);
  console.log(JSON.stringify(r));
  rows.push(r);
}
console.log(
  '| hostile records | valid | ~1 MB values | DLQ | committed to end, still running | s | peak RSS MB |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.hostile} | ${r.valid} | ${a['near-limit']} | ${r.dlq} | ${r.committed && r.stillRunning} | ${r.seconds.toFixed(1)} | ${r.peak.toFixed(0)} |`,
  );
const bad = rows.filter((r) => !r.committed || !r.stillRunning || r.dlq !== r.hostile);
process.exit(bad.length > 0 ? 1 : 0);
