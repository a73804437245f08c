import { mulberry32 } from '@tributary/app-kit';
import type { Campaign } from './campaigns.js';

/** Seeded PRNG (mulberry32), shared with the other apps. */
export const prng = mulberry32;

export interface GeneratorOptions {
  count: number;
  seed?: number;
  campaigns: readonly Campaign[];
  /** Event time of the first view (epoch ms); views spread evenly over `spanMs`. */
  startMs: number;
  spanMs: number;
  /** Fraction of views shuffled a few seconds out of order (within the window grace). */
  outOfOrder?: number;
  /** Fraction of malformed records (bad JSON, missing fields, wrong types, end < start). */
  malformed?: number;
  /** Fraction of views for campaign ids that are not in the campaigns table. */
  unknownCampaigns?: number;
  /** Number of extra views an hour older than the rest, sent last: always later than any grace. */
  late?: number;
}

export type GeneratedKind = 'valid' | 'malformed' | 'late';

export interface GeneratedView {
  readonly key: string;
  readonly value: string;
  readonly kind: GeneratedKind;
}

function formatTs(ms: number, style: number): string | number {
  if (style === 0) return ms;
  const iso = new Date(ms).toISOString(); // 2025-11-06T12:30:05.000Z
  if (style === 1) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`; // space form, no zone: UTC by contract
}

const MALFORMED: ((rnd: () => number, base: Record<string, unknown>) => string)[] = [
  () => '{"view_id": "broken", "start_timestamp": ',
  (_r, b) => JSON.stringify({ ...b, campaign_id: undefined }),
  (_r, b) => JSON.stringify({ ...b, banner_id: 'seven' }),
  (_r, b) => JSON.stringify({ ...b, end_timestamp: (b.start_timestamp as number) - 1000 }),
  (_r, b) => JSON.stringify({ ...b, start_timestamp: 'yesterday' }),
  () => '[1,2,3]',
];

/**
 * Realistic view logs: durations of 1-120 s at whole seconds, campaigns drawn unevenly (a few are
 * popular), timestamps in the three formats of the contract. Whole-second timestamps keep the
 * independently computed ground truth exact.
 */
export function* generateViews(o: GeneratorOptions): Generator<GeneratedView> {
  const rnd = prng(o.seed ?? 1);
  const ids = o.campaigns.map((c) => c.campaign_id);
  const maxId = ids.reduce((m, id) => Math.max(m, id), Number.NEGATIVE_INFINITY); // no spread: 400k+ ids overflow the stack
  const step = o.spanMs / Math.max(1, o.count);
  for (let i = 0; i < o.count; i++) {
    let start = Math.floor((o.startMs + i * step) / 1000) * 1000;
    if (o.outOfOrder && rnd() < o.outOfOrder)
      start = Math.max(o.startMs, start - 1000 * Math.floor(1 + rnd() * 4));
    const duration = 1000 * (1 + Math.floor(rnd() * 120));
    const unknown = o.unknownCampaigns !== undefined && rnd() < o.unknownCampaigns;
    const campaign_id = unknown
      ? maxId + 1 + Math.floor(rnd() * 50)
      : (ids[Math.floor(rnd() ** 2 * ids.length)] as number);
    const base = {
      view_id: `v-${o.seed ?? 1}-${i}`,
      start_timestamp: formatTs(start, i % 3),
      end_timestamp: formatTs(start + duration, i % 3),
      banner_id: 1 + Math.floor(rnd() * 40),
      campaign_id,
    };
    if (o.malformed && rnd() < o.malformed) {
      const make = MALFORMED[Math.floor(rnd() * MALFORMED.length)] as (typeof MALFORMED)[number];
      yield { key: base.view_id, value: make(rnd, { ...base, start_timestamp: start }), kind: 'malformed' };
      continue;
    }
    yield { key: base.view_id, value: JSON.stringify(base), kind: 'valid' };
  }
  for (let i = 0; i < (o.late ?? 0); i++) {
    const start = o.startMs - 3_600_000 + i * 1000;
    const value = {
      view_id: `late-${i}`,
      start_timestamp: start,
      end_timestamp: start + 5000,
      banner_id: 1,
      campaign_id: ids[0],
    };
    yield { key: value.view_id, value: JSON.stringify(value), kind: 'late' };
  }
}
