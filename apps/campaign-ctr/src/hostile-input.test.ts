import type { GeneratedView } from '@tributary/app-campaign-views';
import {
  type ExpectedReasons,
  type FuzzRecord,
  fuzzOnDriver,
  fuzzRecords,
  GENERIC_HOSTILE,
  genericReasons,
  type HostileMaker,
} from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { generateClicks } from './generator.js';
import { ctrGroundTruth } from './ground-truth.js';
import { buildCampaignCtrTopology, type CampaignCtrMinute, ctrDeadLetterTopic } from './topology.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3_600_000;
const T0 = NOW - HOUR;

const stamped =
  (field: string, value: unknown): HostileMaker =>
  (_r, v) =>
    Buffer.from(JSON.stringify({ ...v, [field]: value }));
const ahead = /^deserialization: event timestamp \d+ is more than 3600000 ms ahead of the wall clock/;

const VIEW_KINDS: Record<string, HostileMaker> = {
  'campaign_id beyond 2^53': stamped('campaign_id', 2 ** 53 + 2),
  'banner_id beyond 2^53 (literal)': (_r, v) =>
    Buffer.from(JSON.stringify(v).replace(/"banner_id":\d+/, '"banner_id":12345678901234567890')),
  'start before 1970 (epoch ms)': stamped('start_timestamp', -1000),
  'start beyond year 9999': (_r, v) =>
    Buffer.from(
      JSON.stringify({
        ...v,
        start_timestamp: Date.UTC(10_000, 0, 1),
        end_timestamp: Date.UTC(10_000, 0, 2),
      }),
    ),
  'start beyond broker acceptance (now + 2 h)': (_r, v) =>
    Buffer.from(
      JSON.stringify({ ...v, start_timestamp: NOW + 2 * HOUR, end_timestamp: NOW + 2 * HOUR + 1000 }),
    ),
};

const CLICK_KINDS: Record<string, HostileMaker> = {
  'click_id a number': stamped('click_id', 42),
  'click_timestamp before 1970 (epoch ms)': stamped('click_timestamp', -1000),
  'click_timestamp beyond year 9999': stamped('click_timestamp', Date.UTC(10_000, 0, 1)),
  'click_timestamp beyond broker acceptance (now + 2 h)': stamped('click_timestamp', NOW + 2 * HOUR),
};

/** Everything fails in the source serdes or the extractors: stage deserialization throughout. */
const VIEW_REASONS = {
  ...genericReasons(
    /^deserialization: (view is not a JSON object|view_id must be a non-empty string|Cannot read properties of null \(reading 'start'\))/,
  ),
  'campaign_id beyond 2^53': /^deserialization: campaign_id must be an integer$/,
  'banner_id beyond 2^53 (literal)': /^deserialization: banner_id must be an integer$/,
  'start before 1970 (epoch ms)': /^deserialization: start_timestamp is missing or not a valid timestamp$/,
  'start beyond year 9999': ahead,
  'start beyond broker acceptance (now + 2 h)': ahead,
};
const CLICK_REASONS = {
  ...genericReasons(
    /^deserialization: (click is not a JSON object|click_id must be a non-empty string|Cannot read properties of null \(reading 'ts'\))/,
  ),
  'click_id a number': /^deserialization: click_id must be a non-empty string$/,
  'click_timestamp before 1970 (epoch ms)':
    /^deserialization: click_timestamp is missing or not a valid timestamp$/,
  'click_timestamp beyond year 9999': ahead,
  'click_timestamp beyond broker acceptance (now + 2 h)': ahead,
};

/** The two logs share kind names ('null value', ...) with different reasons: they get a prefix. */
const prefixed = (log: string, reasons: ExpectedReasons): ExpectedReasons =>
  Object.fromEntries(Object.entries(reasons).map(([k, re]) => [`${log}: ${k}`, re]));
const asLog = (log: string, topic: string) => (r: FuzzRecord) => ({
  ...r,
  topic,
  kind: r.kind === 'valid' ? 'valid' : `${log}: ${r.kind}`,
});

/** Event time of a valid record, for interleaving the two logs as they would be written. */
const timeOf = (r: FuzzRecord, field: string): number => {
  const t = JSON.parse((r.value as Buffer).toString())[field] as string | number;
  return typeof t === 'number' ? t : Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);
};

/**
 * Both logs in event-time order of their valid records; a hostile record stays right after the
 * valid record before it in its own log. Views first on equal times.
 */
function interleave(views: FuzzRecord[], clicks: FuzzRecord[]): FuzzRecord[] {
  const timed = (rs: FuzzRecord[], field: string) => {
    let t = Number.NEGATIVE_INFINITY;
    return rs.map((r) => {
      if (r.kind === 'valid') t = timeOf(r, field);
      return { r, t };
    });
  };
  const a = timed(views, 'start_timestamp');
  const b = timed(clicks, 'click_timestamp');
  const out: FuzzRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x && (!y || x.t <= y.t)) {
      out.push(x.r);
      i++;
    } else if (y) {
      out.push(y.r);
      j++;
    }
  }
  return out;
}

describe('campaign-ctr on hostile input (seeded fuzz, TopologyTestDriver)', () => {
  it('10,000 hostile views and clicks among 2,000 views and their clicks: rows equal the ground truth, each DLQ holds exactly its hostile records', async () => {
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const views = fuzzRecords({
      seed: 61,
      validCount: 2000,
      hostileCount: 5000,
      nearLimit: 2,
      kinds: { ...GENERIC_HOSTILE, ...VIEW_KINDS },
      now: NOW,
      makeValid: (i, rnd) => {
        // Over 4 minutes; whole seconds, both timestamp forms of the contract.
        const start = T0 + Math.floor((i * 240) / 2000) * 1000;
        const end = start + 1000 * (1 + Math.floor(rnd() * 60));
        return {
          view_id: `v-${i}`,
          start_timestamp: i % 2 ? start : iso(start),
          end_timestamp: i % 2 ? end : iso(end),
          banner_id: 1 + Math.floor(rnd() * 40),
          campaign_id: 1 + Math.floor(rnd() * 5),
          ...(i % 7 === 0 ? { constructor: 'plain data' } : {}),
        };
      },
    }).map(asLog('view', 'view_log'));
    const generatedViews: GeneratedView[] = views
      .filter((r) => r.kind === 'valid')
      .map((r) => ({ key: '', value: (r.value as Buffer).toString(), kind: 'valid' }));
    const generated = generateClicks(generatedViews, { seed: 62, clickRate: 0.3, orphans: 0.05 });
    const clicks = fuzzRecords({
      seed: 63,
      validCount: generated.length,
      hostileCount: 5000,
      nearLimit: 2,
      kinds: { ...GENERIC_HOSTILE, ...CLICK_KINDS },
      now: NOW,
      // In order: the i-th valid record is the i-th generated click.
      makeValid: (i) => JSON.parse((generated[Math.min(i, generated.length - 1)] as { value: string }).value),
    }).map(asLog('click', 'click_log'));
    const truth = ctrGroundTruth(
      generatedViews,
      clicks
        .filter((r) => r.kind === 'valid')
        .map((r) => ({ key: '', value: (r.value as Buffer).toString(), kind: 'valid', ts: 0 })),
    );

    const dlqOf = ctrDeadLetterTopic('view_log', 'click_log');
    const { driver, problems } = await fuzzOnDriver({
      name: 'campaign-ctr',
      topology: buildCampaignCtrTopology({
        output: { kind: 'topic', topic: 'rows' },
        idleTimeoutMs: 10_000,
      }),
      records: interleave(views, clicks),
      now: NOW,
      deadLetterTopic: dlqOf,
      reasons: { ...prefixed('view', VIEW_REASONS), ...prefixed('click', CLICK_REASONS) },
      // The last minutes close on the idle timeout.
      settle: (d) => d.advanceWallClockTime(10_000),
    });
    expect(problems).toEqual([]);
    const rows = driver.createOutputTopic<string, CampaignCtrMinute>('rows').readKeyValuesToList();
    const got = new Map(
      rows.map((r) => [
        `${r.value.campaign_id}@${r.value.minute_timestamp}`,
        { views: r.value.view_count, clickedViews: r.value.clicked_view_count, clicks: r.value.click_count },
      ]),
    );
    expect(got.size).toBe(rows.length);
    const want = new Map(
      [...truth].map(([k, t]) => [k, { views: t.views, clickedViews: t.clickedViews, clicks: t.clicks }]),
    );
    expect(got).toEqual(want);
    // The clicks really exercise the join: some counted, and some not (orphans, outside the window).
    const counted = [...want.values()].reduce((n, t) => n + t.clicks, 0);
    expect(counted).toBeGreaterThan(500);
    expect(counted).toBeLessThan(generated.length);
    await driver.close();
  });
});
