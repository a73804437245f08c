import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { silentLogger } from '@tributary/core';
import { bootstrapServers, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { groundTruth, sessionTruth } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { SESSION_GAP_MS } from './sessions.js';
import { readParquetRows, readSessionRows, type SessionParquetRow } from './test-output.js';
import { ensureTopics } from './topics.js';

describe('campaign-views banner sessions on the real broker', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('writes one Parquet row per closed banner session, equal to sessions cut from the generated views, under the day it started', async () => {
    const input = uniqueName('view_log');
    const campaignsTopic = uniqueName('campaigns');
    const servers = bootstrapServers();
    const outputDir = await mkdtemp(join(tmpdir(), 'cv-out-'));
    const sessionsDir = await mkdtemp(join(tmpdir(), 'cv-sessions-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'cv-state-'));
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 3 });
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
    // 3,000 views of 40 banners over 2 hours across midnight: about 1.6 minutes between a banner's
    // views on average, so both long sessions and gaps over 5 minutes occur, on both days.
    const startMs = Date.UTC(2025, 10, 6, 23, 0, 0);
    const sent = await produceViews({
      bootstrapServers: servers,
      topic: input,
      campaigns,
      count: 3_000,
      seed: 23,
      startMs,
      spanMs: 2 * 3_600_000,
      outOfOrder: 0.1,
      malformed: 0.01,
    });

    // Ground truth straight from the generated JSON, not through the topology's code.
    const truth = sessionTruth(sent, SESSION_GAP_MS);
    const counts = [...truth.values()].map((t) => t.count);
    expect(Math.max(...counts)).toBeGreaterThan(5);
    expect(truth.size).toBeGreaterThan(40);
    const minutes = groundTruth(sent);

    const applicationId = uniqueName('cv-sessions-app');
    const app = createCampaignViewsApp({
      bootstrapServers: servers,
      applicationId,
      inputTopic: input,
      campaignsTopic,
      outputDir,
      sessionsOutputDir: sessionsDir,
      stateDir,
      graceMs: 30_000,
      idleTimeoutMs: 3_000,
      commitIntervalMs: 500,
      logger: silentLogger,
    });
    cleanup.push(() => app.close().catch(() => {}));
    await app.start();

    // Both outputs close their last windows on the idle timeout, each on its own schedule: wait for
    // both before closing the app, or the per-minute files of the last minutes may not be out yet.
    let rows: SessionParquetRow[] = [];
    let minuteRows = 0;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      rows = await readSessionRows(sessionsDir);
      minuteRows = (await readParquetRows(outputDir)).length;
      if (rows.length >= truth.size && minuteRows >= minutes.size) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await waitForCommittedToEnd(applicationId, input, 60_000)).toBe(true);
    await app.close();

    const byKey = new Map<string, SessionParquetRow>();
    for (const row of rows) {
      const key = `${row.banner_id}@${row.session_start}`;
      expect(byKey.has(key), `duplicate session ${key}`).toBe(false);
      byKey.set(key, row);
      // The directory a row sits in names the UTC day its session started.
      expect(relative(sessionsDir, row.filename).split('/')[0]).toBe(
        `session_date=${new Date(row.session_start).toISOString().slice(0, 10)}`,
      );
    }
    const strip = (r: SessionParquetRow) => ({
      banner_id: r.banner_id,
      session_start: r.session_start,
      session_end: r.session_end,
      view_count: r.view_count,
      total_duration_s: r.total_duration_s,
    });
    const expected = [...truth].map(([k, t]) => [
      k,
      {
        banner_id: t.banner,
        session_start: t.start,
        session_end: t.end,
        view_count: t.count,
        total_duration_s: t.durSum,
      },
    ]);
    expect(new Map([...byKey].map(([k, r]) => [k, strip(r)]))).toEqual(new Map(expected as never));
    const days = new Set(rows.map((r) => relative(sessionsDir, r.filename).split('/')[0]));
    expect(days).toEqual(new Set(['session_date=2025-11-06', 'session_date=2025-11-07']));

    // The per-minute output is still complete next to it.
    expect((await readParquetRows(outputDir)).length).toBe(minutes.size);
  });
});
