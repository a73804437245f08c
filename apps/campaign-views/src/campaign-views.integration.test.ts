import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DLQ_HEADERS, silentLogger } from '@tributary/core';
import { bootstrapServers, consumeAll, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { groundTruth } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { type ParquetRow, readParquetRows } from './test-output.js';
import { ensureTopics } from './topics.js';

describe('campaign-views end to end on the real broker', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('writes one Parquet row per (campaign, minute) equal to an independent ground truth; the DLQ holds exactly the malformed views', async () => {
    const input = uniqueName('view_log');
    const campaignsTopic = uniqueName('campaigns');
    const servers = bootstrapServers();
    const outputDir = await mkdtemp(join(tmpdir(), 'cv-out-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'cv-state-'));
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 3 });
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
    const startMs = Date.UTC(2025, 10, 6, 12, 30, 0);
    const sent = await produceViews({
      bootstrapServers: servers,
      topic: input,
      campaigns,
      count: 20_000,
      seed: 11,
      startMs,
      spanMs: 5 * 60_000,
      outOfOrder: 0.1,
      malformed: 0.01,
      unknownCampaigns: 0.02,
      late: 5,
    });

    // Ground truth straight from the generated JSON, not through the topology's code.
    const truth = groundTruth(sent);
    const byName = new Map(campaigns.map((c) => [c.campaign_id, c]));

    const stats = { unknownCampaignRows: 0 };
    const applicationId = uniqueName('cv-app');
    const app = createCampaignViewsApp({
      bootstrapServers: servers,
      applicationId,
      inputTopic: input,
      campaignsTopic,
      outputDir,
      stateDir,
      graceMs: 30_000,
      idleTimeoutMs: 3_000,
      commitIntervalMs: 500,
      logger: silentLogger,
      stats,
    });
    cleanup.push(() => app.close().catch(() => {}));
    await app.start();

    const db = await (await DuckDBInstance.create(':memory:')).connect();
    cleanup.push(async () => db.closeSync());
    const glob = join(outputDir, '**', '*.parquet').replaceAll("'", "''");
    let rows: ParquetRow[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      rows = await readParquetRows(outputDir);
      if (rows.length >= truth.size) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Every input record processed and committed (the late views are produced last), then stop.
    expect(await waitForCommittedToEnd(applicationId, input, 60_000)).toBe(true);
    await app.close();

    expect(rows).toHaveLength(truth.size);
    const seen = new Set<string>();
    for (const row of rows) {
      const key = `${row.campaign_id}@${row.minute_timestamp}`;
      expect(seen.has(key), `duplicate row ${key}`).toBe(false);
      seen.add(key);
      const t = truth.get(key);
      expect(t, `unexpected row ${key}`).toBeDefined();
      if (!t) continue;
      expect(row.view_count).toBe(t.count);
      expect(Math.abs(row.avg_duration - t.durSum / t.count)).toBeLessThan(1e-9);
      const c = byName.get(row.campaign_id);
      expect(row.network_id).toBe(c?.network_id ?? null);
      expect(row.campaign_name).toBe(c?.campaign_name ?? null);
      // The directory a row sits in names its own network and minute.
      const [networkDir, minuteDir] = relative(outputDir, row.filename).split('/');
      expect(networkDir).toBe(`network_id=${row.network_id ?? '__HIVE_DEFAULT_PARTITION__'}`);
      expect(minuteDir).toBe(
        `minute_timestamp=${new Date(row.minute_timestamp).toISOString().slice(0, 16).replace(':', '-')}`,
      );
    }
    const unknownRows = rows.filter((r) => r.network_id === null).length;
    expect(unknownRows).toBeGreaterThan(0);
    expect(stats.unknownCampaignRows).toBe(unknownRows);

    // DuckDB's Hive reading sees the same partitions (NULL for the default partition).
    const hive = await db.runAndReadAll(
      `SELECT count(*) AS n, count(network_id) AS with_network FROM read_parquet('${glob}', hive_partitioning = true)`,
    );
    const [h] = hive.getRowObjectsJS();
    expect(Number(h?.n)).toBe(truth.size);
    expect(Number(h?.with_network)).toBe(truth.size - unknownRows);

    const malformed = sent.filter((v) => v.kind === 'malformed');
    const dlq = await consumeAll(`${input}-dlq`, {
      count: malformed.length,
      idleMs: 2000,
      timeoutMs: 30_000,
    });
    expect(dlq.map((r) => r.value?.toString()).sort()).toEqual(malformed.map((v) => v.value).sort());
    expect(new Set(dlq.map((r) => r.headers[DLQ_HEADERS.topic]?.toString()))).toEqual(new Set([input]));
    const late = await consumeAll(`${input}-late`, { count: 5, idleMs: 2000, timeoutMs: 30_000 });
    expect(late.map((r) => JSON.parse(r.value?.toString() ?? '{}').view_id).sort()).toEqual([
      'late-0',
      'late-1',
      'late-2',
      'late-3',
      'late-4',
    ]);
  });
});
