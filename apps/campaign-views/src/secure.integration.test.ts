import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '@tributary/app-kit/testing';
import { type KafkaPort, platformaticPort, silentLogger } from '@tributary/core';
import {
  consumeAll,
  type SecureBroker,
  startSecureBroker,
  uniqueName,
  waitForCommittedToEnd,
} from '@tributary/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { groundTruth } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { readParquetRows } from './test-output.js';
import { ensureTopics } from './topics.js';

// Issue 21: the app end to end against the local SASL_SSL broker (kafka.sh start --secure): TLS with
// the throwaway CA, SCRAM-SHA-512, exactly-once. Every client (admin, producers, the consumer, the
// campaigns table's tailer, restores) goes through the same `security` block.
describe('campaign-views over TLS + SASL/SCRAM-SHA-512 (exactly-once)', () => {
  let broker: SecureBroker;
  beforeAll(async () => {
    broker = await startSecureBroker();
  });

  const run = async (client: 'kafkajs' | 'platformatic') => {
    const security = broker.security('SCRAM-SHA-512');
    const servers = broker.bootstrapServers;
    const input = uniqueName('view_log');
    const campaignsTopic = uniqueName('campaigns');
    const outputDir = await mkdtemp(join(tmpdir(), 'cv-secure-out-'));
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureTopics({
      bootstrapServers: servers,
      security,
      inputTopic: input,
      campaignsTopic,
      partitions: 3,
    });
    await loadCampaigns({ bootstrapServers: servers, security, topic: campaignsTopic, campaigns });
    const sent = await produceViews({
      bootstrapServers: servers,
      security,
      topic: input,
      campaigns,
      count: 2_000,
      seed: 21,
      startMs: Date.UTC(2025, 10, 6, 9, 0, 0),
      spanMs: 3 * 60_000,
      malformed: 0.02,
    });
    // The expected rows straight from the generated JSON, keyed campaign@minute.
    const expected = new Map(
      [...groundTruth(sent)].map(([k, t]) => [
        k,
        { count: t.count, avg: Math.round((t.durSum / t.count) * 1e6) },
      ]),
    );

    const applicationId = uniqueName(`cv-secure-${client}`);
    const kafka: KafkaPort | undefined =
      client === 'platformatic'
        ? platformaticPort({
            bootstrapServers: servers,
            security,
            clientId: applicationId,
            logger: silentLogger,
          })
        : undefined;
    const app = createCampaignViewsApp({
      bootstrapServers: servers,
      security,
      applicationId,
      inputTopic: input,
      campaignsTopic,
      outputDir,
      stateDir: await mkdtemp(join(tmpdir(), 'cv-secure-state-')),
      graceMs: 30_000,
      idleTimeoutMs: 2_000,
      processingGuarantee: 'exactly-once',
      logger: silentLogger,
      ...(kafka ? { kafka } : {}),
    });
    try {
      await app.start();
      const deadline = Date.now() + 45_000;
      let rows = await readParquetRows(outputDir);
      while (rows.length < expected.size && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        rows = await readParquetRows(outputDir);
      }
      expect(await waitForCommittedToEnd(applicationId, input, 30_000, broker.kafka())).toBe(true);
      const got = new Map(
        rows.map((r) => [
          `${r.campaign_id}@${r.minute_timestamp}`,
          { count: r.view_count, avg: Math.round(r.avg_duration * 1e6) },
        ]),
      );
      expect(rows).toHaveLength(got.size); // no (campaign, minute) twice
      expect(got).toEqual(expected);
      const malformed = sent.filter((v) => v.kind === 'malformed').map((v) => v.value);
      const dlq = await consumeAll(`${input}-dlq`, {
        count: malformed.length,
        idleMs: 1000,
        timeoutMs: 15_000,
        kafka: broker.kafka(),
      });
      expect(dlq.map((r) => r.value?.toString()).sort()).toEqual(malformed.sort());
    } finally {
      await app.close().catch(() => {});
    }
  };

  it('kafkajs adapter: the Parquet rows equal the ground truth, the DLQ holds exactly the malformed views', async () => {
    await run('kafkajs');
  });

  it('platformatic consumer: the same rows over the same secured connection', async () => {
    await run('platformatic');
  });

  it('the app from its flags: TLS with --ssl-ca-location reaches SASL, and a wrong password exits 1 naming the user, not the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cv-secure-cli-'));
    const passwordFile = join(dir, 'password');
    const password = 'not-the-Right-one-42';
    await writeFile(passwordFile, `${password}\n`);
    const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
    const started = Date.now();
    // ensureTopics' admin client is the first to connect: the handshake gets past TLS (the CA from
    // the flag) and fails at SASL, so both settings reached the client.
    const r = await runMain(
      main,
      [
        'streams',
        ...['--bootstrap-servers', broker.bootstrapServers, '--security-protocol', 'SASL_SSL'],
        ...['--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', broker.scram.username],
        ...['--sasl-password-file', passwordFile, '--ssl-ca-location', broker.caFile],
        ...['--input-topic', uniqueName('view_log'), '--state-dir', dir, '--output', dir],
      ],
      45_000,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /SASL SCRAM-SHA-512 authentication to 127\.0\.0\.1:\d+ failed as user 'tributary'/,
    );
    expect(`${r.stdout}${r.stderr}`).not.toContain(password);
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
