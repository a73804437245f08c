import type { GeneratedView } from './generator.js';

/** Expected figures of one (campaign, minute): computed from the generated JSON, not by the topology. */
export interface Truth {
  campaign: number;
  minute: number;
  count: number;
  /** Sum of view durations in seconds. */
  durSum: number;
}

// Deliberately not view.ts: the checks must not share the parser they check.
const toMs = (t: string | number) =>
  typeof t === 'number' ? t : Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

/** Per `campaign@minuteStart`: the valid views' count and duration sum. Tests, bench and chaos share it. */
export function groundTruth(sent: Iterable<GeneratedView>): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const v of sent) {
    if (v.kind !== 'valid') continue;
    const o = JSON.parse(v.value) as {
      start_timestamp: string | number;
      end_timestamp: string | number;
      campaign_id: number;
    };
    const start = toMs(o.start_timestamp);
    const minute = start - (start % 60_000);
    const k = `${o.campaign_id}@${minute}`;
    const t = truth.get(k) ?? { campaign: o.campaign_id, minute, count: 0, durSum: 0 };
    t.count += 1;
    t.durSum += (toMs(o.end_timestamp) - start) / 1000;
    truth.set(k, t);
  }
  return truth;
}

/** The view counts alone, keyed like the output rows (`campaign@minuteStart`). */
export function truthCounts(truth: ReadonlyMap<string, Truth>): Map<string, number> {
  return new Map([...truth].map(([k, t]) => [k, t.count]));
}

/** Expected session of one banner: computed from the generated JSON, not by the topology. */
export interface SessionTruth {
  banner: number;
  start: number;
  end: number;
  count: number;
  /** Sum of view durations in seconds. */
  durSum: number;
}

/**
 * Per banner, the valid views sorted by start and cut wherever two consecutive starts are more than
 * `gapMs` apart: the sessions a gap-based session window must produce. Keyed `banner@sessionStart`.
 */
export function sessionTruth(sent: Iterable<GeneratedView>, gapMs: number): Map<string, SessionTruth> {
  const perBanner = new Map<number, { start: number; dur: number }[]>();
  for (const v of sent) {
    if (v.kind !== 'valid') continue;
    const o = JSON.parse(v.value) as {
      start_timestamp: string | number;
      end_timestamp: string | number;
      banner_id: number;
    };
    const start = toMs(o.start_timestamp);
    const list = perBanner.get(o.banner_id) ?? [];
    list.push({ start, dur: (toMs(o.end_timestamp) - start) / 1000 });
    perBanner.set(o.banner_id, list);
  }
  const out = new Map<string, SessionTruth>();
  for (const [banner, views] of perBanner) {
    views.sort((a, b) => a.start - b.start);
    let cur: SessionTruth | undefined;
    for (const v of views) {
      if (!cur || v.start - cur.end > gapMs) {
        cur = { banner, start: v.start, end: v.start, count: 0, durSum: 0 };
        out.set(`${banner}@${v.start}`, cur);
      }
      cur.end = v.start;
      cur.count += 1;
      cur.durSum += v.dur;
    }
  }
  return out;
}
