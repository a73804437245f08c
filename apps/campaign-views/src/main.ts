import { parseArgs } from 'node:util';
import { jsonLogger, runUntilSignal } from '@tributary/core';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { loadCampaigns, produceViews } from './producer.js';
import { ensureTopics } from './topics.js';

const USAGE = `usage: campaign-views <command> [flags]
  load-campaigns   publish the campaigns CSV to the compacted campaigns topic
  produce          produce view logs (--count, --rate, --seed, --late, --malformed, --out-of-order)
  streams          run the streams app until SIGTERM/SIGINT
common flags: --bootstrap (KAFKA_BOOTSTRAP_SERVERS), --input (VIEW_LOG_TOPIC), --campaigns-topic (CAMPAIGNS_TOPIC), --partitions`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    bootstrap: { type: 'string', default: process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:19092' },
    input: { type: 'string', default: process.env.VIEW_LOG_TOPIC ?? 'view_log' },
    'campaigns-topic': { type: 'string', default: process.env.CAMPAIGNS_TOPIC ?? 'campaigns' },
    'campaigns-csv': { type: 'string', default: process.env.CAMPAIGNS_CSV ?? DEFAULT_CAMPAIGNS_CSV },
    partitions: { type: 'string', default: '3' },
    count: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'start-time': { type: 'string' },
    'span-ms': { type: 'string', default: '300000' },
    late: { type: 'string', default: '0' },
    malformed: { type: 'string', default: '0' },
    'out-of-order': { type: 'string', default: '0' },
    'unknown-campaigns': { type: 'string', default: '0' },
    output: { type: 'string', default: process.env.OUTPUT_DIR ?? '.output/campaign-views' },
    'state-dir': { type: 'string', default: process.env.STATE_DIR ?? '.state' },
    'application-id': { type: 'string', default: process.env.APPLICATION_ID ?? 'campaign-views' },
    'grace-ms': { type: 'string', default: '10000' },
    'idle-timeout-ms': { type: 'string', default: '30000' },
    'commit-interval-ms': { type: 'string' },
    guarantee: { type: 'string', default: 'at-least-once' },
    'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
  },
});

const num = (s: string | undefined, name: string): number => {
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${s}`);
  return n;
};

const bootstrapServers = values.bootstrap;
const inputTopic = values.input;
const campaignsTopic = values['campaigns-topic'];
const command = positionals[0];

async function main(): Promise<number> {
  const topics = {
    bootstrapServers,
    inputTopic,
    campaignsTopic,
    partitions: num(values.partitions, 'partitions'),
  };
  switch (command) {
    case 'load-campaigns': {
      await ensureTopics(topics);
      const campaigns = await readCampaigns(values['campaigns-csv']);
      await loadCampaigns({ bootstrapServers, topic: campaignsTopic, campaigns });
      console.log(`loaded ${campaigns.length} campaigns into ${campaignsTopic}`);
      return 0;
    }
    case 'produce': {
      await ensureTopics(topics);
      const campaigns = await readCampaigns(values['campaigns-csv']);
      const sent = await produceViews({
        bootstrapServers,
        topic: inputTopic,
        campaigns,
        count: num(values.count, 'count'),
        rate: num(values.rate, 'rate'),
        seed: num(values.seed, 'seed'),
        startMs: values['start-time']
          ? Date.parse(values['start-time'])
          : Math.floor(Date.now() / 60_000) * 60_000,
        spanMs: num(values['span-ms'], 'span-ms'),
        late: num(values.late, 'late'),
        malformed: num(values.malformed, 'malformed'),
        outOfOrder: num(values['out-of-order'], 'out-of-order'),
        unknownCampaigns: num(values['unknown-campaigns'], 'unknown-campaigns'),
      });
      console.log(`produced ${sent.length} records to ${inputTopic}`);
      return 0;
    }
    case 'streams': {
      await ensureTopics(topics);
      const guarantee = values.guarantee === 'exactly-once' ? 'exactly-once' : 'at-least-once';
      const app = createCampaignViewsApp({
        bootstrapServers,
        applicationId: values['application-id'],
        inputTopic,
        campaignsTopic,
        outputDir: values.output,
        stateDir: values['state-dir'],
        graceMs: num(values['grace-ms'], 'grace-ms'),
        idleTimeoutMs: num(values['idle-timeout-ms'], 'idle-timeout-ms'),
        processingGuarantee: guarantee,
        logger: jsonLogger(values['log-level'] as 'info'),
        ...(values['commit-interval-ms']
          ? { commitIntervalMs: num(values['commit-interval-ms'], 'commit-interval-ms') }
          : {}),
      });
      return runUntilSignal(app);
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
