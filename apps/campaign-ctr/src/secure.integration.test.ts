import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAMPAIGNS_CSV, generateViews, readCampaigns } from '@tributary/app-campaign-views';
import { runMain, secureCliFlags, startMain } from '@tributary/app-kit/testing';
import { consumeAll, secureFixture, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { describe, expect, it } from 'vitest';
import { generateClicks } from './generator.js';
import { ctrGroundTruth } from './ground-truth.js';
import { type CtrParquetRow, expectedCtrRows, readCtrParquetRows } from './test-output.js';

// Issue 21: campaign-ctr through its own command line (load-campaigns, produce, streams) against the
// local SASL_SSL broker, SCRAM-SHA-512 over TLS: the table tailer, the join's repartition topics and
// stores' changelogs all on the security flags.

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const VIEWS = 2000;
const SEED = 29;
const START = '2025-11-06T12:30:00Z';
// The generator's settings, passed to `produce` as flags and used again here for the ground truth.
const GEN = { malformed: 0.02, unknownCampaigns: 0.02, clickRate: 0.15, orphans: 0.05, clickMalformed: 0.02 };

describe('campaign-ctr over TLS + SASL/SCRAM-SHA-512, from its flags', () => {
  const fixture = secureFixture('ctr-secure');

  it('load, produce and streams: the Parquet rows equal the ground truth, each DLQ holds exactly its malformed records', async () => {
    const [broker, dir] = [fixture.broker(), fixture.dir()];
    const flags = await secureCliFlags(broker, join(dir, 'password'));
    const topics = {
      view: uniqueName('view_log'),
      click: uniqueName('click_log'),
      campaigns: uniqueName('campaigns'),
      late: uniqueName('ctr-late'),
    };
    const topicFlags = [
      ...['--input-topic', topics.view, '--click-topic', topics.click],
      ...['--campaigns-topic', topics.campaigns, '--late-topic', topics.late],
    ];
    const applicationId = uniqueName('ctr-secure');
    const out = join(dir, 'out');
    const kafka = broker.kafka();

    const loaded = await runMain(main, ['load-campaigns', ...flags, ...topicFlags], 60_000);
    expect(loaded.code, loaded.stderr).toBe(0);
    const produced = await runMain(
      main,
      [
        ...['produce', ...flags, ...topicFlags, '--count', String(VIEWS), '--seed', String(SEED)],
        ...['--start-time', START, '--malformed', String(GEN.malformed)],
        ...['--unknown-campaigns', String(GEN.unknownCampaigns), '--click-rate', String(GEN.clickRate)],
        ...['--orphans', String(GEN.orphans), '--click-malformed', String(GEN.clickMalformed)],
      ],
      60_000,
    );
    expect(produced.code, produced.stderr).toBe(0);

    // The same generation as `produce` did, and the ground truth from its JSON, not the topology.
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    const views = [
      ...generateViews({
        campaigns,
        count: VIEWS,
        seed: SEED,
        startMs: Date.parse(START),
        spanMs: 300_000,
        late: 0,
        malformed: GEN.malformed,
        outOfOrder: 0,
        unknownCampaigns: GEN.unknownCampaigns,
      }),
    ];
    const clicks = generateClicks(views, {
      seed: SEED,
      clickRate: GEN.clickRate,
      clickWindowMs: 600_000,
      orphans: GEN.orphans,
      malformed: GEN.clickMalformed,
    });
    expect(produced.stdout).toContain(`produced ${views.length + clicks.length} records`);
    const truth = ctrGroundTruth(views, clicks);

    const streams = startMain(main, [
      ...['streams', ...flags, ...topicFlags, '--application-id', applicationId],
      ...['--output', out, '--state-dir', join(dir, 'state'), '--commit-interval-ms', '500'],
      // A drain of pre-loaded topics, as in campaign-ctr.integration.test.ts: generous grace keeps
      // every record in, and idle close ends the last minutes.
      ...['--join-grace-ms', String(30 * 60_000), '--grace-ms', String(40 * 60_000)],
      ...['--idle-timeout-ms', '10000'],
    ]);
    let rows: CtrParquetRow[] = [];
    try {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        rows = await readCtrParquetRows(out);
        if (rows.length >= truth.size) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(await waitForCommittedToEnd(applicationId, topics.view, 60_000, kafka)).toBe(true);
      expect(await waitForCommittedToEnd(applicationId, topics.click, 60_000, kafka)).toBe(true);
    } finally {
      const r = await streams.stop();
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain(broker.scram.password);
    }
    const got = Object.fromEntries(
      rows.map(({ filename: _f, ...r }) => [`${r.campaign_id}@${r.minute_timestamp}`, r]),
    );
    expect(Object.keys(got)).toHaveLength(rows.length); // no (campaign, minute) twice
    expect(got).toEqual(expectedCtrRows(truth, campaigns));

    for (const [topic, records] of [
      [topics.view, views],
      [topics.click, clicks],
    ] as const) {
      const malformed = records.filter((r) => r.kind === 'malformed').map((r) => r.value);
      expect(malformed.length).toBeGreaterThan(0);
      const dlq = await consumeAll(`${topic}-dlq`, {
        count: malformed.length,
        idleMs: 2000,
        timeoutMs: 30_000,
        kafka,
      });
      expect(dlq.map((r) => r.value?.toString()).sort()).toEqual(malformed.sort());
    }
  });
});
