import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tributary } from '@tributary/core';
import {
  bootstrapServers,
  testLogger,
  uniqueName,
  waitForCommittedToEnd,
  withAdmin,
} from '@tributary/testkit';
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

/** Answers by HTTP status, for the log line. */
function tally(statuses: Map<number, number>, status: number): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}

describe('interactive queries over HTTP, two instances of campaign-views in one group', () => {
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close().catch(() => {});
  });

  it('while B joins and while B leaves, every answer is the ground truth or a retryable error; A answers for keys B owns with the value B holds', async () => {
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
    // A runs alone first: it owns every task, and every view is processed and committed there.
    const a = await start();
    await a.waitForState('running');
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

    // Until A has processed the repartitioned views, answers may be short of the truth: wait for all
    // to be right, then for the repartition topic's offsets to be committed (so a task that moves to
    // B starts from a changelog and offsets that hold every view, and no view is counted twice).
    const deadline = Date.now() + 20_000;
    for (;;) {
      let allRight = true;
      for (const [campaign, want] of truth)
        if (!matches((await windowsVia(a, campaign)).windows, want)) allRight = false;
      if (allRight || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const repartition = await withAdmin(async (admin) =>
      (await admin.listTopics()).filter(
        (t) => t.startsWith(`${applicationId}-`) && t.endsWith('-repartition'),
      ),
    );
    expect(repartition).toHaveLength(1);
    expect(await waitForCommittedToEnd(applicationId, repartition[0] as string, 20_000)).toBe(true);

    // /metrics parses, and A's processed counter adds up to every input record, every valid view
    // once more after the repartition, and the watermark records its upstream tasks sent through the
    // repartition topic (read until they agree: a watermark record may be on its way).
    const valid = sent.filter((v) => v.kind === 'valid').length;
    const processedNow = async () => {
      const text = (await query(a, '/metrics')).body;
      const family = parsePrometheusTextFormat(text).find(
        (m) => m.name === 'kafka_streams_stream_thread_metrics_process_total',
      );
      return {
        processed: Number(family?.metrics[0]?.value),
        watermarks: a.metrics().watermarkRecordsSent ?? 0,
      };
    };
    let counted = await processedNow();
    for (let i = 0; i < 20 && counted.processed !== sent.length + valid + counted.watermarks; i++) {
      await new Promise((r) => setTimeout(r, 250));
      counted = await processedNow();
    }
    expect(counted.processed).toBe(sent.length + valid + counted.watermarks);

    // B joins while queries run: A revokes, B restores its share from the changelogs. Every answer
    // meanwhile is the truth or a retryable 5xx; it settles when B serves its share.
    const joinStatuses = new Map<number, number>();
    const second: { app?: Tributary } = {};
    const joining = start().then((app) => {
      second.app = app;
      return app;
    });
    const joinDeadline = Date.now() + 30_000;
    let joined = false;
    while (Date.now() < joinDeadline && !joined) {
      let servedByOther = 0;
      let allRight = true;
      for (const [campaign, want] of truth) {
        const r = await windowsVia(a, campaign);
        tally(joinStatuses, r.status);
        if (r.status === 200) expect({ campaign, windows: r.windows }).toEqual({ campaign, windows: want });
        else {
          expect([502, 503, 504]).toContain(r.status);
          allRight = false;
        }
        if (r.servedBy !== a.applicationServer) servedByOther++;
      }
      joined = allRight && servedByOther > 0 && second.app?.state === 'running' && a.state === 'running';
    }
    expect(joined).toBe(true);
    const b = await joining;

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

    // B leaves: A rebalances and restores B's tasks from their changelogs. Meanwhile every answer for
    // B's campaigns is a retryable error or the right value, and A's readiness drops, then returns.
    const statuses = new Map<number, number>();
    // Readiness is probed on its own every 20 ms: A's rebalance and restore can fit between two
    // passes over B's campaigns, and a probe between passes would miss the 503.
    const readiness: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        readiness.push((await query(a, '/health/ready')).status);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const closing = b.close();
    const until = Date.now() + 20_000;
    let settledRight = false;
    while (Date.now() < until && !settledRight) {
      settledRight = true;
      for (const campaign of servedByB) {
        const r = await windowsVia(a, campaign);
        tally(statuses, r.status);
        if (r.status === 200)
          expect({ campaign, windows: r.windows }).toEqual({ campaign, windows: truth.get(campaign) });
        else expect([502, 503, 504]).toContain(r.status);
        if (r.status !== 200 || r.servedBy !== a.applicationServer) settledRight = false;
      }
      if (settledRight) settledRight = (await query(a, '/health/ready')).status === 200;
    }
    await closing;
    probing = false;
    await prober;
    expect(settledRight).toBe(true);
    // Ready, then not ready while A rebalances and restores B's tasks, then ready again.
    expect(readiness).toContain(503);
    expect(readiness.lastIndexOf(200)).toBeGreaterThan(readiness.indexOf(503));
    console.log(
      `iq: ${truth.size} campaigns, processed ${counted.processed} on A (${counted.watermarks} watermark records); while B joined: answers by status ${JSON.stringify(Object.fromEntries(joinStatuses))}; ${servedByB.length} forwarded to B; after B left: answers by status ${JSON.stringify(Object.fromEntries(statuses))}, ready probes ${readiness.filter((x) => x === 503).length} x 503 of ${readiness.length}`,
    );
  }, 90_000);
});
