import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  byteBatches,
  countKinds,
  dlqProblems,
  dlqReasonProblems,
  type FuzzRecord,
  fuzzRecords,
  GENERIC_HOSTILE,
  genericReasons,
  type HostileMaker,
  prototypeChanges,
  prototypeSnapshot,
} from '@tributary/app-kit/testing';
import { DLQ_HEADERS, silentLogger } from '@tributary/core';
import {
  bootstrapServers,
  consumeAll,
  testProducer,
  uniqueName,
  waitForCommittedToEnd,
} from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { groundTruth } from './ground-truth.js';
import { loadCampaigns } from './producer.js';
import { readParquetRows } from './test-output.js';
import { ensureTopics } from './topics.js';

const HOUR = 3_600_000;

/**
 * One value as large as the broker takes in a topic with the default `max.message.bytes`
 * (1,048,588 per record batch, ~90 bytes of it framing): its dead letter, with the DLQ headers, is
 * larger than that, and fits only because the runtime creates the DLQ with room for them.
 */
const AT_BROKER_LIMIT = 'at the broker record limit (1,048,400 bytes)';
const AT_BROKER_LIMIT_BYTES = 1_048_400;

/** The view-log contract's own hostile cases: numbers and event times no consumer can use. */
function viewKinds(now: number): Record<string, HostileMaker> {
  const withStart = (start: number | string, end?: number | string) => (v: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ ...v, start_timestamp: start, end_timestamp: end ?? v.end_timestamp }));
  return {
    'campaign_id beyond 2^53': (_r, v) => Buffer.from(JSON.stringify({ ...v, campaign_id: 2 ** 53 + 2 })),
    'banner_id beyond 2^53 (literal)': (_r, v) =>
      Buffer.from(JSON.stringify(v).replace(/"banner_id":\d+/, '"banner_id":12345678901234567890')),
    'start before 1970 (ISO)': (_r, v) => withStart('1969-12-31T23:59:59Z')(v),
    'start before 1970 (epoch ms)': (_r, v) => withStart(-1000, 5000)(v),
    'start beyond year 9999': (r, v) => {
      const s = Date.UTC(10_000, 0, 1) + Math.floor(r() * 1e9);
      return withStart(s, s + 1000)(v);
    },
    'start beyond broker acceptance (now + >1 h)': (r, v) => {
      const s = now + HOUR + 60_000 + Math.floor(r() * 86_400_000);
      return withStart(s, s + 1000)(v);
    },
    'start past the Date range (8640000000000001)': (_r, v) =>
      withStart(8_640_000_000_000_001, 8_640_000_000_005_001)(v),
  };
}

const ahead = /^deserialization: event timestamp \d+ is more than 3600000 ms ahead of the wall clock/;

/** Everything fails in the view serde or at extraction: stage deserialization throughout. */
const REASONS = {
  ...genericReasons(
    /^deserialization: (view is not a JSON object|view_id must be a non-empty string|Cannot read properties of null \(reading 'start'\))/,
  ),
  'campaign_id beyond 2^53': /^deserialization: campaign_id must be an integer$/,
  'banner_id beyond 2^53 (literal)': /^deserialization: banner_id must be an integer$/,
  // The ISO form parses to a negative epoch, which the runtime refuses; the epoch form the serde.
  'start before 1970 (ISO)':
    /^deserialization: invalid event timestamp -1000 \(must be a whole number of ms >= 0\)$/,
  'start before 1970 (epoch ms)': /^deserialization: start_timestamp is missing or not a valid timestamp$/,
  'start beyond year 9999': ahead,
  'start beyond broker acceptance (now + >1 h)': ahead,
  'start past the Date range (8640000000000001)': ahead,
  [AT_BROKER_LIMIT]: /^deserialization: JSON parse failed/,
};

describe('campaign-views on hostile input (seeded fuzz, real broker)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('10,001 hostile records (one at the broker size limit) mixed into 5,000 views: rows equal the ground truth of the valid views, the DLQ holds exactly the hostile ones with their reasons', async () => {
    const servers = bootstrapServers();
    const input = uniqueName('hostile-views');
    const campaignsTopic = uniqueName('hostile-campaigns');
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    const ids = campaigns.map((c) => c.campaign_id);
    await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 3 });
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });

    const startMs = Date.UTC(2025, 10, 6, 12, 30, 0);
    const validCount = 5000;
    const now = Date.now();
    const records = fuzzRecords({
      seed: 21,
      validCount,
      hostileCount: 10_000,
      nearLimit: 3,
      kinds: { ...GENERIC_HOSTILE, ...viewKinds(now) },
      now,
      makeValid: (i, rnd) => {
        const start = startMs + Math.floor((i * 4 * 60_000) / validCount / 1000) * 1000;
        const end = start + 1000 * (1 + Math.floor(rnd() * 120));
        const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
        return {
          view_id: `v-${i}`,
          // Both contract forms; `constructor` is a plain field (ignored), never a problem.
          start_timestamp: i % 2 ? start : iso(start),
          end_timestamp: i % 2 ? end : iso(end),
          banner_id: 1 + Math.floor(rnd() * 40),
          campaign_id: ids[Math.floor(rnd() * ids.length)] as number,
          ...(i % 7 === 0 ? { constructor: 'plain data' } : {}),
        };
      },
    });
    const huge = Buffer.alloc(AT_BROKER_LIMIT_BYTES, 0x62);
    huge[0] = 0x7e; // '~': not JSON
    records.splice(7000, 0, {
      key: Buffer.from('huge'),
      value: huge,
      timestamp: now - 1000,
      kind: AT_BROKER_LIMIT,
    });
    const kinds = countKinds(records);
    const hostile = records.filter((r) => r.kind !== 'valid');
    expect(hostile).toHaveLength(10_001);
    const prototypes = prototypeSnapshot();

    const t0 = Date.now();
    const producer = testProducer();
    await producer.connect();
    try {
      for (const batch of byteBatches(records))
        await producer.send({
          topic: input,
          acks: -1,
          messages: batch.map((r: FuzzRecord) => ({
            key: r.key,
            value: r.value,
            timestamp: String(r.timestamp),
          })),
        });
    } finally {
      await producer.disconnect();
    }
    const produceMs = Date.now() - t0;

    const truth = groundTruth(
      records
        .filter((r) => r.kind === 'valid')
        .map((r) => ({ key: '', value: (r.value as Buffer).toString(), kind: 'valid' as const })),
    );
    const applicationId = uniqueName('hostile-cv');
    const outputDir = await mkdtemp(join(tmpdir(), 'cv-hostile-out-'));
    const app = createCampaignViewsApp({
      bootstrapServers: servers,
      applicationId,
      inputTopic: input,
      campaignsTopic,
      outputDir,
      stateDir: await mkdtemp(join(tmpdir(), 'cv-hostile-state-')),
      graceMs: 10 * 60_000,
      idleTimeoutMs: 2000,
      commitIntervalMs: 500,
      logger: silentLogger,
    });
    cleanup.push(() => app.close().catch(() => {}));
    await app.start();
    expect(await waitForCommittedToEnd(applicationId, input, 60_000)).toBe(true);
    let rows = await readParquetRows(outputDir);
    for (let i = 0; i < 30 && rows.length < truth.size; i++) {
      await new Promise((r) => setTimeout(r, 500));
      rows = await readParquetRows(outputDir);
    }
    // Still running: no hostile record stopped it.
    expect(app.state).toBe('running');
    const metrics = app.metrics();
    await app.close();

    const got = new Map(rows.map((r) => [`${r.campaign_id}@${r.minute_timestamp}`, r]));
    expect(got.size).toBe(rows.length);
    expect(new Set(got.keys())).toEqual(new Set(truth.keys()));
    for (const [k, t] of truth) {
      expect(got.get(k)?.view_count, k).toBe(t.count);
      expect(Math.abs((got.get(k)?.avg_duration ?? 0) - t.durSum / t.count)).toBeLessThan(1e-9);
    }

    const dlq = await consumeAll(`${input}-dlq`, { count: hostile.length, idleMs: 2000, timeoutMs: 30_000 });
    expect(dlqProblems(dlq, hostile, DLQ_HEADERS.error)).toEqual([]);
    expect(dlqReasonProblems(dlq, hostile, REASONS)).toEqual([]);
    expect(dlq.filter((r) => r.value?.length === AT_BROKER_LIMIT_BYTES)).toHaveLength(1);
    expect(metrics.deadLettered).toBe(hostile.length);
    expect(prototypeChanges(prototypes)).toEqual([]);
    if (process.env.FUZZ_COUNTS)
      console.log('campaign-views hostile fuzz', {
        kinds,
        produceMs,
        totalMs: Date.now() - t0,
        rows: rows.length,
      });
  });
});
