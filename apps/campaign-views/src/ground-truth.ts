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
