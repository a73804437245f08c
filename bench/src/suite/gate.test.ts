import { describe, expect, it } from 'vitest';
import type { JoinPair, JoinTruth } from '../join-data.js';
import { gateJoin } from './gate.js';

const pair = (view_id: string, click_ts: number): JoinPair => ({
  view_id,
  campaign_id: 1,
  view_start: 1000,
  click_ts,
});
const truth: JoinTruth = {
  pairs: new Map([
    ['c1', pair('v1', 2000)],
    ['c2', pair('v2', 3000)],
  ]),
  views: 2,
  clicks: 3,
  malformed: 0,
};
const got = (entries: [string, JoinPair][]) =>
  new Map(entries.map(([click_id, p]) => [click_id, { ...p, click_id }]));

describe('join gate', () => {
  it('passes exactly the expected pairs, once each', () => {
    const r = gateJoin(
      got([
        ['c1', pair('v1', 2000)],
        ['c2', pair('v2', 3000)],
      ]),
      2,
      truth,
    );
    expect(r).toEqual({ ok: true, detail: '2 join results equal' });
  });

  it('fails on a missing, wrong, extra or duplicated result', () => {
    const r = gateJoin(
      got([
        ['c1', pair('v1', 2001)],
        ['c3', pair('v3', 3000)],
      ]),
      3,
      truth,
    );
    expect(r).toEqual({ ok: false, detail: 'missing 1, wrong 1, extra 1, dup 1 of 2 pairs' });
  });
});
