// The README's demo: a few minutes of view logs through campaign-views into Parquet, then a summary
// read back from the files. Run through `npm run demo` (which starts and stops the local broker).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { committedLag, formatTable } from '@tributary/app-kit';
import { kafkajsPort, silentLogger } from '@tributary/core';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { loadCampaigns, produceViews } from './producer.js';
import { ensureTopics } from './topics.js';

const bootstrapServers = process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:19092';
const outputDir = resolve(process.env.OUTPUT_DIR ?? '.output/campaign-views');
const stateDir = resolve(process.env.STATE_DIR ?? '.state');
const count = Number(process.env.DEMO_VIEWS ?? 60_000);
const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const runId = Date.now().toString(36);
  const applicationId = `campaign-views-demo-${runId}`;
  const inputTopic = 'view_log';
  const campaignsTopic = 'campaigns';
  // A fresh view log for every demo run, so earlier runs' records do not mix in.
  const admin = kafkajsPort({ bootstrapServers, logger: silentLogger }).admin();
  await admin.connect();
  const existing = await admin.partitionCounts([inputTopic, `${inputTopic}-dlq`, `${inputTopic}-late`]);
  await admin.deleteTopics([...existing.keys()]);
  await admin.disconnect();
  if (existing.size > 0) await new Promise((r) => setTimeout(r, 1500));
  await rm(outputDir, { recursive: true, force: true });
  await ensureTopics({ bootstrapServers, inputTopic, campaignsTopic, partitions: 3 });

  const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
  await loadCampaigns({ bootstrapServers, topic: campaignsTopic, campaigns });
  say(`1/4 loaded ${campaigns.length} campaigns from ${DEFAULT_CAMPAIGNS_CSV} into topic ${campaignsTopic}`);

  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 6 * 60_000;
  let last = 0;
  const sent = await produceViews({
    bootstrapServers,
    topic: inputTopic,
    campaigns,
    count,
    seed: 7,
    startMs,
    spanMs: 5 * 60_000,
    outOfOrder: 0.05,
    malformed: 0.005,
    unknownCampaigns: 0.01,
    late: 3,
    onProgress: (n) => {
      if (n - last >= 10_000 || n === count) {
        last = n;
        process.stdout.write(`\r2/4 producing view logs: ${n}/${count}`);
      }
    },
  });
  const malformed = sent.filter((v) => v.kind === 'malformed').length;
  say(
    `\n2/4 produced ${sent.length} records (5 minutes of event time from ${new Date(startMs).toISOString()}; ${malformed} malformed, 3 late)`,
  );

  const stats = { unknownCampaignRows: 0 };
  const app = createCampaignViewsApp({
    bootstrapServers,
    applicationId,
    inputTopic,
    campaignsTopic,
    outputDir,
    stateDir: join(stateDir, 'demo'),
    graceMs: 30_000,
    idleTimeoutMs: 3_000,
    commitIntervalMs: 1000,
    logger: silentLogger,
    stats,
  });
  const started = Date.now();
  await app.start();
  // Progress until the input is fully committed, then idle close emits the last minutes.
  let caughtUpAt = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const lag = await committedLag(bootstrapServers, applicationId, [inputTopic]);
    const m = app.metrics();
    process.stdout.write(
      `\r3/4 campaign-views: ${m.processed ?? 0} records processed, lag ${lag}, ${m.deadLettered ?? 0} dead-lettered, ${Math.round((Date.now() - started) / 1000)}s   `,
    );
    if (lag === 0n && caughtUpAt === 0) caughtUpAt = Date.now();
    if (caughtUpAt > 0 && Date.now() - caughtUpAt > 6_000) break;
    if (Date.now() - started > 180_000) throw new Error('demo did not finish in 3 minutes');
  }
  await app.close();
  say(
    `\n3/4 every window closed (idle close); ${stats.unknownCampaignRows} rows for campaigns missing from the CSV`,
  );

  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = join(outputDir, '**', '*.parquet').replaceAll("'", "''");
  const q = async (sql: string) =>
    (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  const [totals] = await q(
    `SELECT count(*) AS rows, count(DISTINCT filename) AS files, count(DISTINCT network_id) AS networks,
            count(DISTINCT minute_timestamp) AS minutes, sum(view_count) AS views
     FROM read_parquet('${glob}', hive_partitioning = false, filename = true)`,
  );
  say(
    `4/4 wrote ${totals?.files} Parquet files, ${totals?.rows} rows (${totals?.views} views, ${totals?.networks} networks, ${totals?.minutes} minutes) under ${outputDir}`,
  );
  const top = await q(
    `SELECT strftime(minute_timestamp AT TIME ZONE 'UTC', '%H:%M') AS minute, campaign_id, coalesce(campaign_name, '(unknown)') AS campaign_name,
            network_id, view_count, round(avg_duration, 1) AS avg_duration_s
     FROM (SELECT *, row_number() OVER (PARTITION BY minute_timestamp ORDER BY view_count DESC, campaign_id) AS rank
           FROM read_parquet('${glob}', hive_partitioning = false))
     WHERE rank <= 3 ORDER BY minute, rank`,
  );
  say('\nTop campaigns per minute (UTC), read back from the Parquet files:');
  const cols = ['minute', 'campaign_id', 'campaign_name', 'network_id', 'view_count', 'avg_duration_s'];
  for (const l of formatTable(top, cols)) say(l);
  db.closeSync();
  say(`\nLook at: ${outputDir}/network_id=*/minute_timestamp=*/*.parquet`);
  say(`  duckdb: SELECT * FROM read_parquet('${outputDir}/**/*.parquet', hive_partitioning = true);`);
  say(`  dead letters: topic ${inputTopic}-dlq (${malformed} records), late views: topic ${inputTopic}-late`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
