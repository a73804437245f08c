import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  testLogger,
  uniqueName,
  waitForCommittedToEnd,
} from '@tributary/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import type { GeneratedView } from './generator.js';
import { groundTruth, truthCounts } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { countsByKey, readParquetRows } from './test-output.js';
import { ensureTopics } from './topics.js';
import { buildCampaignViewsTopology } from './topology.js';

const running: Tributary[] = [];

async function run(guarantee: 'at-least-once' | 'exactly-once', sink: 'topic' | 'parquet' = 'topic') {
  const servers = bootstrapServers();
  const input = uniqueName('view_log');
  const campaignsTopic = uniqueName('campaigns');
  const output = uniqueName('minutes');
  const applicationId = uniqueName(`scale-${guarantee === 'exactly-once' ? 'eos' : 'alos'}`);
  const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
  await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 6 });
  await createTopics([{ name: output, partitions: 6 }]);
  const outputDir = await mkdtemp(join(tmpdir(), 'scale-out-parquet-'));
  await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });

  const instances: Tributary[] = [];
  const startInstance = async () => {
    const app = new Tributary(
      buildCampaignViewsTopology({
        inputTopic: input,
        campaignsTopic,
        output: sink === 'topic' ? { kind: 'topic', topic: output } : { kind: 'parquet', dir: outputDir },
        graceMs: 60_000,
        idleTimeoutMs: 2000,
      }),
      {
        applicationId,
        bootstrapServers: servers,
        stateBackend: levelDbBackend({ stateDir: await mkdtemp(join(tmpdir(), 'scale-')) }),
        processingGuarantee: guarantee,
        commitIntervalMs: 300,
        errorPolicy: { mode: 'dead-letter' },
        logger: testLogger(),
      },
    );
    instances.push(app);
    running.push(app);
    await app.start();
    return app;
  };

  for (let i = 0; i < 3; i++) await startInstance();
  const startMs = Date.UTC(2025, 10, 6, 9, 0, 0);
  const sent: GeneratedView[] = [];
  const chunks = 8;
  for (let c = 0; c < chunks; c++) {
    // Event time moves on chunk by chunk, one minute each, like a live stream.
    sent.push(
      ...(await produceViews({
        bootstrapServers: servers,
        topic: input,
        campaigns,
        count: 1500,
        seed: 100 + c,
        startMs: startMs + c * 60_000,
        spanMs: 60_000,
        malformed: 0.01,
      })),
    );
    if (c === 2) await startInstance(); // scale out to 4
    if (c === 5) await instances[1]?.close(); // and one leaves
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(await waitForCommittedToEnd(applicationId, input, 120_000)).toBe(true);
  // Let idle close emit the last minute, then stop everyone cleanly.
  const truth = truthCounts(groundTruth(sent));
  let rows: Map<string, number[]> = new Map();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (sink === 'parquet') {
      rows = new Map();
      for (const r of await readParquetRows(outputDir)) {
        const k = `${r.campaign_id}@${r.minute_timestamp}`;
        rows.set(k, [...(rows.get(k) ?? []), r.view_count]);
      }
    } else {
      rows = countsByKey(await consumeAll(output, { idleMs: 1500, timeoutMs: 20_000, readCommitted: true }));
    }
    if ([...truth.keys()].every((k) => rows.has(k))) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const app of instances) await app.close();
  return { truth, rows, instances };
}

describe('scale-out: instances join and leave mid-run (6 partitions)', () => {
  afterEach(async () => {
    // A failed run must not leave instances consuming CPU for the next test.
    for (const app of running.splice(0)) await app.close().catch(() => {});
  });

  it('at-least-once: no (campaign, minute) is lost and no count is short', async () => {
    const { truth, rows } = await run('at-least-once');
    const missing = [...truth.keys()].filter((k) => !rows.has(k));
    expect(missing).toEqual([]);
    for (const [k, n] of truth) expect(Math.max(...(rows.get(k) ?? [0]))).toBeGreaterThanOrEqual(n);
  });

  const exactlyOnce = (rows: Map<string, number[]>, truth: Map<string, number>) => {
    const duplicates = [...rows].filter(([, v]) => v.length > 1).map(([k]) => k);
    expect(duplicates).toEqual([]);
    expect(Object.fromEntries([...rows].map(([k, v]) => [k, v[0]]))).toEqual(Object.fromEntries(truth));
  };

  it('exactly-once: every (campaign, minute) exactly once with the exact count', async () => {
    const { truth, rows } = await run('exactly-once');
    exactlyOnce(rows, truth);
  });

  it('exactly-once to Parquet: every (campaign, minute) in exactly one published row', async () => {
    const { truth, rows } = await run('exactly-once', 'parquet');
    exactlyOnce(rows, truth);
  });
});
