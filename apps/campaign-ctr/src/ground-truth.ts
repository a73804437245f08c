import type { GeneratedView } from '@tributary/app-campaign-views';
import type { GeneratedClick } from './generator.js';

/** Expected figures of one (campaign, minute), computed from the generated JSON, not by the topology. */
export interface CtrTruth {
  campaign: number;
  minute: number;
  views: number;
  clicks: number;
  clickedViews: number;
}

// Deliberately not view.ts or click.ts: the checks must not share the parsers they check.
const toMs = (t: string | number) =>
  typeof t === 'number' ? t : Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

/**
 * Per `campaign@minuteStart` of the view: valid views, the clicks that came 0 to `clickWindowMs`
 * after their view (same view_id), and the views with at least one such click.
 */
export function ctrGroundTruth(
  views: Iterable<GeneratedView>,
  clicks: Iterable<GeneratedClick>,
  clickWindowMs = 10 * 60_000,
): Map<string, CtrTruth> {
  const byId = new Map<string, { key: string; start: number }>();
  const truth = new Map<string, CtrTruth>();
  for (const v of views) {
    if (v.kind !== 'valid') continue;
    const o = JSON.parse(v.value) as {
      view_id: string;
      start_timestamp: string | number;
      campaign_id: number;
    };
    const start = toMs(o.start_timestamp);
    const minute = start - (start % 60_000);
    const key = `${o.campaign_id}@${minute}`;
    const t = truth.get(key) ?? { campaign: o.campaign_id, minute, views: 0, clicks: 0, clickedViews: 0 };
    t.views += 1;
    truth.set(key, t);
    byId.set(o.view_id, { key, start });
  }
  const clicked = new Set<string>();
  for (const c of clicks) {
    if (c.kind !== 'valid') continue;
    const o = JSON.parse(c.value) as { view_id: string; click_timestamp: string | number };
    const view = byId.get(o.view_id);
    if (!view) continue; // an orphan: no such view
    const after = toMs(o.click_timestamp) - view.start;
    if (after < 0 || after > clickWindowMs) continue;
    const t = truth.get(view.key) as CtrTruth;
    t.clicks += 1;
    if (!clicked.has(o.view_id)) {
      clicked.add(o.view_id);
      t.clickedViews += 1;
    }
  }
  return truth;
}
