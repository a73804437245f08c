// The README's demo: a few minutes of view logs and their clicks through campaign-ctr into Parquet,
// then a summary read back from the files. Needs a broker at KAFKA_BOOTSTRAP_SERVERS (default
// 127.0.0.1:19092): `npx tsx apps/campaign-ctr/src/demo.ts`.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  DEFAULT_CAMPAIGNS_CSV,
  type GeneratedView,
  generateViews,
  loadCampaigns,
  readCampaigns,
} from '@tributary/app-campaign-views';
import { committedLag, formatTable } from '@tributary/app-kit';
import { kafkajsPort, silentLogger } from '@tributary/core';
import { createCampaignCtrApp } from './app.js';
import { generateClicks } from './generator.js';
import { produceCtrData } from './producer.js';
import { ensureCtrTopics } from './topics.js';

const bootstrapServers = process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:19092';
const outputDir = resolve(process.env.OUTPUT_DIR ?? '.output/campaign-ctr');
const stateDir = resolve(process.env.STATE_DIR ?? '.state');
const viewTopic = process.env.VIEW_LOG_TOPIC ?? 'view_log';
const clickTopic = process.env.CLICK_LOG_TOPIC ?? 'click_log';
const lateTopic = 'campaign-ctr-late';
const campaignsTopic = 'campaigns';
const count = Number(process.env.DEMO_VIEWS ?? 60_000);
const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const applicationId = `campaign-ctr-demo-${Date.now().toString(36)}`;
  // Fresh logs for every demo run, so earlier runs' records do not mix in.
  const admin = kafkajsPort({ bootstrapServers, logger: silentLogger }).admin();
  await admin.connect();
  const existing = await admin.partitionCounts(
    [viewTopic, clickTopic].flatMap((t) => [t, `${t}-dlq`, `${t}-late`]).concat(lateTopic),
  );
  await admin.deleteTopics([...existing.keys()]);
  await admin.disconnect();
  if (existing.size > 0) await new Promise((r) => setTimeout(r, 1500));
  await rm(outputDir, { recursive: true, force: true });
  await ensureCtrTopics({
    bootstrapServers,
    viewTopic,
    clickTopic,
    campaignsTopic,
    lateTopic,
    partitions: 3,
  });

  const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
  await loadCampaigns({ bootstrapServers, topic: campaignsTopic, campaigns });
  say(`1/4 loaded ${campaigns.length} campaigns from ${DEFAULT_CAMPAIGNS_CSV} into topic ${campaignsTopic}`);

  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
  const views: GeneratedView[] = [
    ...generateViews({
      campaigns,
      count,
      seed: 7,
      startMs,
      spanMs: 5 * 60_000,
      outOfOrder: 0.05,
      malformed: 0.005,
      unknownCampaigns: 0.01,
      late: 3,
    }),
  ];
  const clicks = generateClicks(views, { seed: 7, clickRate: 0.08, orphans: 0.05, malformed: 0.005 });
  const total = views.length + clicks.length;
  let last = 0;
  await produceCtrData({
    bootstrapServers,
    viewTopic,
    clickTopic,
    views,
    clicks,
    onProgress: (n) => {
      if (n - last >= 10_000 || n === total) {
        last = n;
        process.stdout.write(`\r2/4 producing view and click logs: ${n}/${total}`);
      }
    },
  });
  const bad = (xs: readonly { kind: string }[]) => xs.filter((x) => x.kind === 'malformed').length;
  say(
    `\n2/4 produced ${views.length} views and ${clicks.length} clicks (5 minutes of views from ${new Date(startMs).toISOString()}; ${bad(views)} + ${bad(clicks)} malformed, 3 late views)`,
  );

  const stats = { unknownCampaignRows: 0 };
  const app = createCampaignCtrApp({
    bootstrapServers,
    applicationId,
    viewTopic,
    clickTopic,
    campaignsTopic,
    lateTopic,
    outputDir,
    stateDir: join(stateDir, 'ctr-demo'),
    // The demo drains pre-loaded topics, where one input can run minutes of event time ahead of the
    // other; generous grace keeps every record in, and idle close ends the last minutes (10 s: the
    // join's last results may still be on their way to the minute windows when the inputs look drained).
    joinGraceMs: 30 * 60_000,
    graceMs: 40 * 60_000,
    idleTimeoutMs: 10_000,
    commitIntervalMs: 1000,
    logger: silentLogger,
    stats,
  });
  const started = Date.now();
  await app.start();
  // Done when the inputs are committed and nothing moved for a while: the internal hops (by view_id,
  // the join, by campaign) still run after the inputs' lag reaches 0, then idle close ends the minutes.
  let caughtUpAt = 0;
  let processed = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const lag = await committedLag(bootstrapServers, applicationId, [viewTopic, clickTopic]);
    const m = app.metrics();
    if (lag !== 0n || (m.processed ?? 0) !== processed) caughtUpAt = 0;
    processed = m.processed ?? 0;
    process.stdout.write(
      `\r3/4 campaign-ctr: ${m.processed ?? 0} records processed, lag ${lag}, ${m.deadLettered ?? 0} dead-lettered, ${Math.round((Date.now() - started) / 1000)}s   `,
    );
    if (lag === 0n && caughtUpAt === 0) caughtUpAt = Date.now();
    if (caughtUpAt > 0 && Date.now() - caughtUpAt > 13_000) break;
    if (Date.now() - started > 240_000) throw new Error('demo did not finish in 4 minutes');
  }
  await app.close();
  say(
    `\n3/4 every minute closed (idle close); ${stats.unknownCampaignRows} rows for campaigns missing from the CSV`,
  );

  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = join(outputDir, '**', '*.parquet').replaceAll("'", "''");
  const q = async (sql: string) =>
    (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  const [t] = await q(
    `SELECT count(*) AS rows, count(DISTINCT filename) AS files, sum(view_count) AS views,
            sum(clicked_view_count) AS clicked, sum(click_count) AS clicks
     FROM read_parquet('${glob}', hive_partitioning = false, filename = true)`,
  );
  say(
    `4/4 wrote ${t?.files} Parquet files, ${t?.rows} rows (${t?.views} views, ${t?.clicked} clicked views, ${t?.clicks} clicks; CTR ${((100 * Number(t?.clicked)) / Number(t?.views)).toFixed(2)}%) under ${outputDir}`,
  );
  const top = await q(
    `SELECT strftime(minute_timestamp AT TIME ZONE 'UTC', '%H:%M') AS minute, campaign_id,
            coalesce(campaign_name, '(unknown)') AS campaign_name, view_count, clicked_view_count, click_count,
            round(100 * ctr, 1) AS ctr_pct
     FROM (SELECT *, row_number() OVER (PARTITION BY minute_timestamp ORDER BY ctr DESC, view_count DESC, campaign_id) AS rank
           FROM read_parquet('${glob}', hive_partitioning = false) WHERE view_count >= 100)
     WHERE rank <= 3 ORDER BY minute, rank`,
  );
  say(
    '\nHighest click-through rates per minute (UTC, campaigns with 100+ views), read back from the Parquet files:',
  );
  const cols = [
    'minute',
    'campaign_id',
    'campaign_name',
    'view_count',
    'clicked_view_count',
    'click_count',
    'ctr_pct',
  ];
  for (const l of formatTable(top, cols)) say(l);
  db.closeSync();
  say(`\nLook at: ${outputDir}/network_id=*/minute_timestamp=*/*.parquet`);
  say(
    `  dead letters: topics ${viewTopic}-dlq (${bad(views)}) and ${clickTopic}-dlq (${bad(clicks)}); late: ${lateTopic}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
