import { join } from 'node:path';
import { generateViews, loadCampaigns, readCampaigns } from '@tributary/app-campaign-views';
import { parseCliOrExit, withSecurity } from '@tributary/app-kit';
import { jsonLogger, runUntilSignal } from '@tributary/core';
import { createCampaignCtrApp, createCampaignNetworksApp } from './app.js';
import { CAMPAIGN_CTR_CLI, parseCampaignCtrCli } from './cli.js';
import { generateClicks } from './generator.js';
import { loadNetworks, readNetworks } from './networks.js';
import { produceCtrData } from './producer.js';
import { ensureCtrTopics } from './topics.js';

// Flags first: a bad one exits 2 here, before any connection.
const { command, values, security } = parseCliOrExit(CAMPAIGN_CTR_CLI.usage, () =>
  withSecurity(parseCampaignCtrCli(process.argv.slice(2))),
);
const bootstrapServers = values['bootstrap-servers'];
const viewTopic = values['input-topic'];
const clickTopic = values['click-topic'];
const campaignsTopic = values['campaigns-topic'];
const lateTopic = values['late-topic'];
// load-networks needs a topic to write to; streams joins the networks only when one is given.
const networksTopic = values['networks-topic'] ?? (command === 'load-networks' ? 'networks' : undefined);
const networks = networksTopic
  ? { topic: networksTopic, outputTopic: values['campaign-networks-topic'] }
  : undefined;

async function main(): Promise<number> {
  await ensureCtrTopics({
    bootstrapServers,
    security,
    viewTopic,
    clickTopic,
    campaignsTopic,
    lateTopic,
    partitions: values.partitions,
    ...(networks ? { networks } : {}),
  });
  switch (command) {
    case 'load-campaigns': {
      const campaigns = await readCampaigns(values['campaigns-csv']);
      await loadCampaigns({ bootstrapServers, security, topic: campaignsTopic, campaigns });
      console.log(`loaded ${campaigns.length} campaigns into ${campaignsTopic}`);
      return 0;
    }
    case 'load-networks': {
      const rows = await readNetworks(values['networks-csv']);
      await loadNetworks({ bootstrapServers, security, topic: networksTopic as string, networks: rows });
      console.log(`loaded ${rows.length} networks into ${networksTopic}`);
      return 0;
    }
    case 'produce': {
      const campaigns = await readCampaigns(values['campaigns-csv']);
      const start = values['start-time'];
      const views = [
        ...generateViews({
          campaigns,
          count: values.count,
          seed: values.seed,
          startMs: start ? Date.parse(start) : Math.floor(Date.now() / 60_000) * 60_000,
          spanMs: values['span-ms'],
          late: values.late,
          malformed: values.malformed,
          outOfOrder: values['out-of-order'],
          unknownCampaigns: values['unknown-campaigns'],
        }),
      ];
      const clicks = generateClicks(views, {
        seed: values.seed,
        clickRate: values['click-rate'],
        clickWindowMs: values['click-window-ms'],
        orphans: values.orphans,
        malformed: values['click-malformed'],
      });
      const sent = await produceCtrData({
        bootstrapServers,
        security,
        viewTopic,
        clickTopic,
        views,
        clicks,
        rate: values.rate,
        batchSize: values['batch-size'],
      });
      console.log(
        `produced ${sent} records (${views.length} to ${viewTopic}, ${clicks.length} to ${clickTopic})`,
      );
      return 0;
    }
    case 'streams': {
      const commitIntervalMs = values['commit-interval-ms'];
      const graceMs = values['grace-ms'];
      const app = createCampaignCtrApp({
        bootstrapServers,
        security,
        applicationId: values['application-id'],
        viewTopic,
        clickTopic,
        campaignsTopic,
        lateTopic,
        outputDir: values.output,
        stateDir: values['state-dir'],
        clickWindowMs: values['click-window-ms'],
        joinGraceMs: values['join-grace-ms'],
        idleTimeoutMs: values['idle-timeout-ms'],
        processingGuarantee: values.guarantee,
        logger: jsonLogger(values['log-level']),
        ...(graceMs !== undefined ? { graceMs } : {}),
        ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
      });
      if (!networks) return runUntilSignal(app);
      // The foreign-key join is a topology of its own (its own application id and state dir).
      const networksApp = createCampaignNetworksApp({
        bootstrapServers,
        security,
        applicationId: `${values['application-id']}-networks`,
        campaignsTopic,
        networksTopic: networks.topic,
        outputTopic: networks.outputTopic,
        stateDir: join(values['state-dir'], 'networks'),
        processingGuarantee: values.guarantee,
        logger: jsonLogger(values['log-level']),
        ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
      });
      const codes = await Promise.all([runUntilSignal(app), runUntilSignal(networksApp)]);
      return Math.max(...codes);
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
