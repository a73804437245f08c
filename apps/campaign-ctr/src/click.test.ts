import { type GeneratedView, generateViews } from '@tributary/app-campaign-views';
import { describe, expect, it } from 'vitest';
import { parseClick } from './click.js';
import { generateClicks } from './generator.js';
import { interleave } from './producer.js';
import { clickSerde, viewSerde } from './serdes.js';

const T = Date.UTC(2025, 10, 6, 12, 30, 5);

describe('click log', () => {
  it('parses the three timestamp forms of the contract and rejects bad records with a reason', () => {
    for (const ts of [T, '2025-11-06T12:30:05Z', '2025-11-06 12:30:05'])
      expect(parseClick(JSON.stringify({ click_id: 'c', view_id: 'v', click_timestamp: ts }))).toEqual({
        click_id: 'c',
        view_id: 'v',
        ts: T,
      });
    const bad: [string, string][] = [
      ['{"click_id": ', 'value is not valid JSON'],
      ['[1]', 'click is not a JSON object'],
      ['{"click_id": "", "view_id": "v", "click_timestamp": 1}', 'click_id must be a non-empty string'],
      ['{"click_id": "c", "view_id": 7, "click_timestamp": 1}', 'view_id must be a non-empty string'],
      [
        '{"click_id": "c", "view_id": "v", "click_timestamp": "soon"}',
        'click_timestamp is missing or not a valid timestamp',
      ],
    ];
    for (const [text, reason] of bad) expect(() => parseClick(text), text).toThrow(reason);
  });

  it('generates clicks on the window edges and outside it, in click-time order, and interleaves them after their views', () => {
    const campaigns = [{ network_id: 1, campaign_id: 1, campaign_name: 'one' }];
    const views: GeneratedView[] = [
      ...generateViews({ campaigns, count: 2000, seed: 3, startMs: T, spanMs: 120_000 }),
    ];
    const clicks = generateClicks(views, { seed: 3, clickRate: 0.5, orphans: 0.1, malformed: 0.05 });
    const start = new Map(views.map((v) => [v.key, JSON.parse(v.value).start_timestamp]));
    const toMs = (t: string | number) =>
      typeof t === 'number' ? t : Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);
    const delays = clicks
      .filter((c) => c.kind === 'valid')
      .map((c) => JSON.parse(c.value))
      .filter((c) => start.has(c.view_id))
      .map((c) => toMs(c.click_timestamp) - toMs(start.get(c.view_id)));
    expect(delays).toContain(0);
    expect(delays).toContain(600_000);
    expect(delays.some((d) => d < 0)).toBe(true);
    expect(delays.some((d) => d > 600_000)).toBe(true);
    expect(clicks.some((c) => c.kind === 'malformed')).toBe(true);
    expect(
      clicks.some((c) => c.kind === 'valid' && JSON.parse(c.value).view_id.startsWith('no-such-view')),
    ).toBe(true);
    expect(clicks.map((c) => c.ts)).toEqual([...clicks.map((c) => c.ts)].sort((a, b) => a - b));
    // In the produced stream a click goes out just before the first view at or past its time.
    let viewClock = Number.NEGATIVE_INFINITY;
    let pending: number[] = [];
    const byKey = new Map(clicks.map((c) => [c.key, c.ts]));
    for (const r of interleave({ viewTopic: 'v', clickTopic: 'c', views, clicks })) {
      if (r.topic === 'c') pending.push(byKey.get(r.key) as number);
      else if (start.has(r.key)) {
        viewClock = Math.max(viewClock, toMs(start.get(r.key)));
        expect(pending.filter((ts) => ts > viewClock)).toEqual([]);
        pending = [];
      }
    }
  });
});

describe('log serdes', () => {
  it('write the contract shape back, so what they write they read', () => {
    const v = { view_id: 'v', start: T, end: T + 5000, banner_id: 2, campaign_id: 3 };
    expect(viewSerde.deserialize(viewSerde.serialize(v, 'view_log'), 'view_log')).toEqual(v);
    const c = { click_id: 'c', view_id: 'v', ts: T };
    expect(clickSerde.deserialize(clickSerde.serialize(c, 'click_log'), 'click_log')).toEqual(c);
  });
});
