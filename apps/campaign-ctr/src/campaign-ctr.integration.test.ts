import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  DEFAULT_CAMPAIGNS_CSV,
  type GeneratedView,
  generateViews,
  loadCampaigns,
  readCampaigns,
} from '@tributary/app-campaign-views';
import { DLQ_HEADERS, silentLogger } from '@tributary/core';
import { bootstrapServers, consumeAll, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaignCtrApp } from './app.js';
import { generateClicks } from './generator.js';
import { ctrGroundTruth } from './ground-truth.js';
import { produceCtrData } from './producer.js';
import { type CtrParquetRow, expectedCtrRows, readCtrParquetRows } from './test-output.js';
import { ensureCtrTopics } from './topics.js';

describe('campaign-ctr end to end on the real broker', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('writes one Parquet row per (campaign, minute) equal to an independent ground truth; each DLQ holds exactly its malformed records', async () => {
    const servers = bootstrapServers();
    const viewTopic = uniqueName('view_log');
    const clickTopic = uniqueName('click_log');
    const campaignsTopic = uniqueName('campaigns');
    const lateTopic = uniqueName('ctr-late');
    const outputDir = await mkdtemp(join(tmpdir(), 'ctr-out-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'ctr-state-'));
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureCtrTopics({
      bootstrapServers: servers,
      viewTopic,
      clickTopic,
      campaignsTopic,
      lateTopic,
      partitions: 3,
    });
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
    const startMs = Date.UTC(2025, 10, 6, 12, 30, 0);
    const views: GeneratedView[] = [
      ...generateViews({
        campaigns,
        count: 12_000,
        seed: 21,
        startMs,
        spanMs: 5 * 60_000,
        outOfOrder: 0.05,
        malformed: 0.01,
        unknownCampaigns: 0.02,
        late: 3,
      }),
    ];
    const clicks = generateClicks(views, { seed: 21, clickRate: 0.15, orphans: 0.05, malformed: 0.01 });
    // The hour-old views go in only once every minute is out. Sent with the rest, they would be late
    // only if the click log's progress had passed them too: the watermark is the slower input's, and
    // on a drain of pre-loaded topics the click side may not have been read yet (then they count in
    // their 11:30 minute, as in Flink: 3 of 9 runs here did that).
    const lateViews = views.filter((v) => v.kind === 'late');
    expect(lateViews.length).toBe(3);
    await produceCtrData({
      bootstrapServers: servers,
      viewTopic,
      clickTopic,
      views: views.filter((v) => v.kind !== 'late'),
      clicks,
    });

    // Ground truth straight from the generated JSON, not through the topology's code.
    const truth = ctrGroundTruth(views, clicks);
    const totals = [...truth.values()].reduce(
      (a, t) => ({ clicks: a.clicks + t.clicks, clicked: a.clicked + t.clickedViews }),
      { clicks: 0, clicked: 0 },
    );
    // The data exercises what the rules are about: several clicks per view, and clicks that do not count.
    expect(totals.clicks).toBeGreaterThan(totals.clicked);
    expect(clicks.filter((c) => c.kind === 'valid').length).toBeGreaterThan(totals.clicks);

    const stats = { unknownCampaignRows: 0 };
    const applicationId = uniqueName('ctr-app');
    const app = createCampaignCtrApp({
      bootstrapServers: servers,
      applicationId,
      viewTopic,
      clickTopic,
      campaignsTopic,
      lateTopic,
      outputDir,
      stateDir,
      // A drain of pre-loaded topics: the inputs' tasks run unevenly, so event time may jump ahead on
      // one side; generous grace keeps every record in, and idle close ends the last minutes. Idle
      // close runs when this instance's inputs look drained, which can be while the join's last
      // results are still on their way through the by-campaign topic, so the timeout must outlast
      // that trip (3 s was too short once on the loaded 2-core machine: a run missed rows).
      joinGraceMs: 30 * 60_000,
      graceMs: 40 * 60_000,
      idleTimeoutMs: 10_000,
      commitIntervalMs: 500,
      logger: silentLogger,
      stats,
    });
    cleanup.push(() => app.close().catch(() => {}));
    const states: string[] = [];
    app.onStateChange((to) => states.push(to));
    await app.start();

    let rows: CtrParquetRow[] = [];
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      rows = await readCtrParquetRows(outputDir);
      if (rows.length >= truth.size) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(rows.length, `rows (app states: ${states.join(' > ')})`).toBe(truth.size);
    await produceCtrData({ bootstrapServers: servers, viewTopic, clickTopic, views: lateViews, clicks: [] });
    // They pass two repartitions before the minute windows: wait for them before closing the app.
    const lateSeen = await consumeAll(lateTopic, { count: 3, timeoutMs: 60_000 });
    expect(lateSeen.length).toBe(3);
    expect(await waitForCommittedToEnd(applicationId, viewTopic, 60_000)).toBe(true);
    expect(await waitForCommittedToEnd(applicationId, clickTopic, 60_000)).toBe(true);
    await app.close();

    // The late views came after every minute had closed: they and nothing else are in the late topic.
    const late = await consumeAll(lateTopic, { idleMs: 3000, timeoutMs: 30_000 });
    expect(late.length, `late events: ${late.map((r) => r.value?.toString()).slice(0, 5)}`).toBe(3);
    expect(late.map((r) => JSON.parse(r.value?.toString() ?? '{}').view_id).sort()).toEqual([
      'late-0',
      'late-1',
      'late-2',
    ]);
    // Nothing came out for them: the minutes are read again after the app committed past them.
    rows = await readCtrParquetRows(outputDir);
    expect(rows.length).toBe(truth.size);
    const got = new Map<string, CtrParquetRow>();
    for (const row of rows) {
      const key = `${row.campaign_id}@${row.minute_timestamp}`;
      expect(got.has(key), `duplicate row ${key}`).toBe(false);
      got.set(key, row);
      // The directory a row sits in names its own network and minute.
      const [networkDir, minuteDir] = relative(outputDir, row.filename).split('/');
      expect(networkDir).toBe(`network_id=${row.network_id ?? '__HIVE_DEFAULT_PARTITION__'}`);
      expect(minuteDir).toBe(
        `minute_timestamp=${new Date(row.minute_timestamp).toISOString().slice(0, 16).replace(':', '-')}`,
      );
    }
    const expected = expectedCtrRows(truth, campaigns);
    const actual = Object.fromEntries([...got].map(([k, { filename: _f, ...r }]) => [k, r]));
    expect(actual).toEqual(expected);
    expect(stats.unknownCampaignRows).toBe(rows.filter((r) => r.network_id === null).length);
    expect(stats.unknownCampaignRows).toBeGreaterThan(0);

    for (const [topic, records] of [
      [viewTopic, views],
      [clickTopic, clicks],
    ] as const) {
      const malformed = records.filter((r) => r.kind === 'malformed');
      expect(malformed.length).toBeGreaterThan(0);
      const dlq = await consumeAll(`${topic}-dlq`, {
        count: malformed.length,
        idleMs: 2000,
        timeoutMs: 30_000,
      });
      expect(dlq.map((r) => r.value?.toString()).sort()).toEqual(malformed.map((v) => v.value).sort());
      expect(new Set(dlq.map((r) => r.headers[DLQ_HEADERS.topic]?.toString()))).toEqual(new Set([topic]));
    }
  });
});
