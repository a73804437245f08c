import { parseCliOrExit, serverConfigOf, withSecurity } from '@tributary/app-kit';
import { jsonLogger, runUntilSignal } from '@tributary/core';
import { createCampaignViewsApp } from './app.js';
import { readCampaigns } from './campaigns.js';
import { CAMPAIGN_VIEWS_CLI, parseCampaignViewsCli } from './cli.js';
import { loadCampaigns, produceViews } from './producer.js';
import { ensureTopics } from './topics.js';

// Flags first: a bad one exits 2 here, before any connection.
const { command, values, security } = parseCliOrExit(CAMPAIGN_VIEWS_CLI.usage, () =>
  withSecurity(parseCampaignViewsCli(process.argv.slice(2))),
);
const bootstrapServers = values['bootstrap-servers'];
const inputTopic = values['input-topic'];
const campaignsTopic = values['campaigns-topic'];

async function main(): Promise<number> {
  await ensureTopics({
    bootstrapServers,
    security,
    inputTopic,
    campaignsTopic,
    partitions: values.partitions,
  });
  switch (command) {
    case 'load-campaigns': {
      const campaigns = await readCampaigns(values['campaigns-csv']);
      await loadCampaigns({ bootstrapServers, security, topic: campaignsTopic, campaigns });
      console.log(`loaded ${campaigns.length} campaigns into ${campaignsTopic}`);
      return 0;
    }
    case 'produce': {
      const campaigns = await readCampaigns(values['campaigns-csv']);
      const start = values['start-time'];
      const sent = await produceViews({
        bootstrapServers,
        security,
        topic: inputTopic,
        campaigns,
        count: values.count,
        rate: values.rate,
        batchSize: values['batch-size'],
        seed: values.seed,
        startMs: start ? Date.parse(start) : Math.floor(Date.now() / 60_000) * 60_000,
        spanMs: values['span-ms'],
        late: values.late,
        malformed: values.malformed,
        outOfOrder: values['out-of-order'],
        unknownCampaigns: values['unknown-campaigns'],
      });
      console.log(`produced ${sent.length} records to ${inputTopic}`);
      return 0;
    }
    case 'streams': {
      const commitIntervalMs = values['commit-interval-ms'];
      const sessionsOutputDir = values['sessions-output'];
      const app = createCampaignViewsApp({
        bootstrapServers,
        security,
        applicationId: values['application-id'],
        inputTopic,
        campaignsTopic,
        outputDir: values.output,
        stateDir: values['state-dir'],
        graceMs: values['grace-ms'],
        idleTimeoutMs: values['idle-timeout-ms'],
        eventTime: values['event-time'],
        partitionIdleMs: values['partition-idle-ms'],
        processingGuarantee: values.guarantee,
        logger: jsonLogger(values['log-level']),
        ...serverConfigOf(values),
        ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
        ...(sessionsOutputDir !== undefined ? { sessionsOutputDir } : {}),
      });
      return runUntilSignal(app);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
