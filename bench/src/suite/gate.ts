/** The correctness gates: a peer's output compared with the ground truth before its numbers count. */
import type { CampaignMinute } from '@tributary/app-campaign-views';
import type { Truth } from '../common.js';
import type { JoinPair, JoinTruth } from '../join-data.js';

/** Per-(campaign, minute) comparison with the ground truth; also checks the join columns. */
export function gateRows(
  rows: CampaignMinute[],
  truth: Truth,
  campaigns: number,
): { ok: boolean; detail: string; digest: string } {
  const seen = new Map<string, CampaignMinute>();
  let dup = 0;
  for (const r of rows) {
    const key = `${r.campaign_id}@${r.minute_timestamp}`;
    if (seen.has(key)) dup++;
    seen.set(key, r);
  }
  let missing = 0;
  let wrong = 0;
  let badJoin = 0;
  let extra = 0;
  let h = 0;
  for (const [key, t] of truth.windows) {
    const r = seen.get(key);
    if (!r) {
      missing++;
      continue;
    }
    if (r.view_count !== t.count || Math.abs(r.avg_duration - t.durationMs / t.count / 1000) > 1e-9) wrong++;
    const known = r.campaign_id >= 1 && r.campaign_id <= campaigns;
    const net = known ? 1 + ((r.campaign_id - 1) % 25) : null;
    if (
      r.network_id !== net ||
      (known ? r.campaign_name !== `campaign ${r.campaign_id}` : r.campaign_name !== null)
    )
      badJoin++;
    h = (h * 31 + r.view_count * 7 + Math.round(r.avg_duration * 1000)) >>> 0;
  }
  for (const key of seen.keys()) if (!truth.windows.has(key)) extra++;
  const ok = missing === 0 && wrong === 0 && badJoin === 0 && extra === 0;
  return {
    ok,
    detail: ok
      ? `${truth.windows.size} windows equal${dup ? ` (${dup} duplicate rows)` : ''}`
      : `missing ${missing}, wrong ${wrong}, bad join ${badJoin}, extra ${extra}, dup ${dup} of ${truth.windows.size}`,
    digest: h.toString(16),
  };
}

/** Pass-through output: normalized views; aggregate them per (campaign, minute) and compare. */
export function gatePassThrough(
  views: { start: number; end: number; campaign_id: number }[],
  truth: Truth,
): { ok: boolean; detail: string } {
  const agg = new Map<string, { count: number; durationMs: number }>();
  for (const v of views) {
    const key = `${v.campaign_id}@${v.start - (v.start % 60_000)}`;
    const a = agg.get(key);
    if (a) {
      a.count++;
      a.durationMs += v.end - v.start;
    } else agg.set(key, { count: 1, durationMs: v.end - v.start });
  }
  let wrong = 0;
  for (const [key, t] of truth.windows) {
    const a = agg.get(key);
    if (!a || a.count !== t.count || a.durationMs !== t.durationMs) wrong++;
  }
  const extra = [...agg.keys()].filter((k) => !truth.windows.has(k)).length;
  const ok = views.length === truth.valid && wrong === 0 && extra === 0;
  return { ok, detail: `${views.length}/${truth.valid} views, ${wrong} windows differ, ${extra} extra` };
}

/** Join output: exactly one result per expected (view, click) pair, with the right values. */
export function gateJoin(
  results: ReadonlyMap<string, JoinPair & { click_id: string }>,
  records: number,
  truth: JoinTruth,
): { ok: boolean; detail: string } {
  let missing = 0;
  let wrong = 0;
  for (const [clickId, t] of truth.pairs) {
    const r = results.get(clickId);
    if (!r) missing++;
    else if (
      r.view_id !== t.view_id ||
      r.campaign_id !== t.campaign_id ||
      r.view_start !== t.view_start ||
      r.click_ts !== t.click_ts
    )
      wrong++;
  }
  const extra = [...results.keys()].filter((k) => !truth.pairs.has(k)).length;
  const dup = records - results.size;
  const ok = missing === 0 && wrong === 0 && extra === 0 && dup === 0;
  return {
    ok,
    detail: ok
      ? `${truth.pairs.size} join results equal`
      : `missing ${missing}, wrong ${wrong}, extra ${extra}, dup ${dup} of ${truth.pairs.size} pairs`,
  };
}
