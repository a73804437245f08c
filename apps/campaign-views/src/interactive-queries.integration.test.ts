import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tributary } from '@tributary/core';
import { bootstrapServers, testLogger, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { groundTruth } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { ensureTopics } from './topics.js';

const running: Tributary[] = [];

interface MinuteWindow {
  start: number;
  value: { count: number; durationMs: number };
}

async function query(app: Tributary, path: string) {
  const res = await fetch(`http://${app.applicationServer}${path}`);
  return { status: res.status, servedBy: res.headers.get('x-tributary-served-by'), body: await res.text() };
}

describe('interactive queries over HTTP, two instances of campaign-views in one group', () => {
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close().catch(() => {});
  });

  it('instance A answers for keys B owns with the value B holds, equal to the ground truth; after B leaves, retryable errors or right values only', async () => {
    const servers = bootstrapServers();
    const input = uniqueName('view_log');
    const campaignsTopic = uniqueName('campaigns');
    const applicationId = uniqueName('iq');
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 4 });
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
    const start = async () => {
      const app = createCampaignViewsApp({
        bootstrapServers: servers,
        applicationId,
        inputTopic: input,
        campaignsTopic,
        outputDir: await mkdtemp(join(tmpdir(), 'iq-out-')),
        stateDir: await mkdtemp(join(tmpdir(), 'iq-state-')),
        // Every window stays in the store (retention = size + grace) for the whole test.
        graceMs: 3_600_000,
        commitIntervalMs: 300,
        logger: testLogger(),
        server: { port: 0 },
      });
      running.push(app);
      await app.start();
      return app;
    };
    const a = await start();
    const b = await start();
    // Views are produced once both instances run: no rebalance moves a task mid-stream, so under
    // at-least-once no view is counted twice and the stores must equal the ground truth exactly.
    await Promise.all([a.waitForState('running'), b.waitForState('running')]);
    const settled = Date.now() + 15_000;
    while (Date.now() < settled) {
      const r = await query(a, '/instances');
      const instances = (JSON.parse(r.body) as { instances: { tasks: string[] }[] }).instances;
      if (
        instances.length === 2 &&
        instances.every((i) => i.tasks.length > 0) &&
        a.state === 'running' &&
        b.state === 'running'
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const startMs = Date.UTC(2025, 10, 6, 9, 0, 0);
    const spanMs = 180_000;
    const sent = await produceViews({
      bootstrapServers: servers,
      topic: input,
      campaigns,
      count: 3000,
      seed: 19,
      startMs,
      spanMs,
      malformed: 0.01,
    });
    // Expected windows per campaign, from the generated JSON (not from the topology).
    const truth = new Map<number, { start: number; count: number; durSum: number }[]>();
    for (const t of groundTruth(sent).values())
      truth.set(t.campaign, [
        ...(truth.get(t.campaign) ?? []),
        { start: t.minute, count: t.count, durSum: t.durSum },
      ]);
    for (const list of truth.values()) list.sort((a, b) => a.start - b.start);

    expect(await waitForCommittedToEnd(applicationId, input, 30_000)).toBe(true);

    const windowsVia = async (app: Tributary, campaign: number) => {
      const r = await query(
        app,
        `/stores/campaign-minute/keys/${campaign}?from=${startMs}&to=${startMs + spanMs}`,
      );
      if (r.status !== 200) return { ...r, windows: undefined };
      const windows = (JSON.parse(r.body) as { windows: MinuteWindow[] }).windows.map((w) => ({
        start: w.start,
        count: w.value.count,
        durSum: w.value.durationMs / 1000,
      }));
      return { ...r, windows };
    };
    const matches = (got: { start: number; count: number; durSum: number }[] | undefined, want: typeof got) =>
      got !== undefined &&
      want !== undefined &&
      got.length === want.length &&
      got.every(
        (w, i) =>
          w.start === want[i]?.start &&
          w.count === want[i]?.count &&
          Math.abs(w.durSum - (want[i]?.durSum ?? 0)) < 1e-6,
      );

    // Until both instances run, know each other and have processed the repartitioned views, answers
    // may be retryable errors (never wrong values: checked at the end); wait for all to be right.
    const deadline = Date.now() + 20_000;
    let retryable = 0;
    for (;;) {
      let allRight = true;
      for (const [campaign, want] of truth) {
        const r = await windowsVia(a, campaign);
        if (r.status === 503 || r.status === 502 || r.status === 504) retryable++;
        if (!matches(r.windows, want)) allRight = false;
      }
      if (allRight || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    const servedByB: number[] = [];
    for (const [campaign, want] of truth) {
      const r = await windowsVia(a, campaign);
      expect({ campaign, status: r.status, windows: r.windows }).toEqual({
        campaign,
        status: 200,
        windows: want,
      });
      const meta = a.metadataForKey('campaign-minute', campaign);
      expect(r.servedBy).toBe(meta.local ? a.applicationServer : b.applicationServer);
      if (!meta.local) {
        servedByB.push(campaign);
        expect(meta.activeHost).toBe(b.applicationServer);
        expect(b.metadataForKey('campaign-minute', campaign).local).toBe(true);
        // B's own answer, read locally, is the same value A relayed.
        expect((await windowsVia(b, campaign)).windows).toEqual(want);
      }
    }
    expect(servedByB.length).toBeGreaterThan(0);
    expect(servedByB.length).toBeLessThan(truth.size);

    // /metrics parses, and the processed counters add up to what the two instances processed.
    let processed = 0;
    for (const app of [a, b]) {
      const text = (await query(app, '/metrics')).body;
      const family = parsePrometheusTextFormat(text).find(
        (m) => m.name === 'kafka_streams_stream_thread_metrics_process_total',
      );
      processed += Number(family?.metrics[0]?.value);
    }
    const valid = sent.filter((v) => v.kind === 'valid').length;
    // Every input record once (valid or not), every valid view once more after the repartition, and
    // the watermark records upstream tasks sent through the repartition topic.
    const watermarkRecords =
      (a.metrics().watermarkRecordsSent ?? 0) + (b.metrics().watermarkRecordsSent ?? 0);
    expect(processed).toBe(sent.length + valid + watermarkRecords);

    // B leaves: A rebalances and restores B's tasks from their changelogs. Meanwhile every answer for
    // B's campaigns is a retryable error or the right value, and A's readiness drops, then returns.
    const statuses = new Map<number, number>();
    const readiness: number[] = [];
    const closing = b.close();
    const until = Date.now() + 20_000;
    let settledRight = false;
    while (Date.now() < until && !settledRight) {
      readiness.push((await query(a, '/health/ready')).status);
      settledRight = readiness[readiness.length - 1] === 200;
      for (const campaign of servedByB) {
        const r = await windowsVia(a, campaign);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200)
          expect({ campaign, windows: r.windows }).toEqual({ campaign, windows: truth.get(campaign) });
        else expect([502, 503, 504]).toContain(r.status);
        if (r.status !== 200 || r.servedBy !== a.applicationServer) settledRight = false;
      }
    }
    await closing;
    expect(settledRight).toBe(true);
    expect(readiness).toContain(503);
    console.log(
      `iq: ${truth.size} campaigns, ${servedByB.length} forwarded to B, ${retryable} retryable answers while starting, processed ${processed} (${watermarkRecords} watermark records); after B left: answers by status ${JSON.stringify(Object.fromEntries(statuses))}, ready probes ${readiness.filter((x) => x === 503).length} x 503 then 200`,
    );
  }, 40_000);
});
