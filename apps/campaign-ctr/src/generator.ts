import { type GeneratedView, parseView, prng } from '@tributary/app-campaign-views';

export interface ClickGeneratorOptions {
  seed?: number;
  /** Share of valid views that get at least one click; default 0.1. */
  clickRate?: number;
  /** Clicks are generated up to this long after their view, a few just outside; default 10 minutes. */
  clickWindowMs?: number;
  /** Clicks on view ids that never appear in the view log, as a share of the clicked views. */
  orphans?: number;
  /** Share of malformed click records (bad JSON, missing fields, wrong types). */
  malformed?: number;
}

export type GeneratedClickKind = 'valid' | 'malformed';

export interface GeneratedClick {
  readonly key: string;
  readonly value: string;
  readonly kind: GeneratedClickKind;
  /** Event time of the click (for ordering the produced stream); NaN for malformed ones. */
  readonly ts: number;
}

function formatTs(ms: number, style: number): string | number {
  if (style === 0) return ms;
  const iso = new Date(ms).toISOString();
  if (style === 1) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

const MALFORMED: ((base: Record<string, unknown>) => string)[] = [
  () => '{"click_id": "broken", "view_id": ',
  (b) => JSON.stringify({ ...b, view_id: undefined }),
  (b) => JSON.stringify({ ...b, view_id: 42 }),
  (b) => JSON.stringify({ ...b, click_timestamp: 'soon' }),
  (b) => JSON.stringify({ ...b, click_id: '' }),
  () => 'null',
];

/**
 * Delay of a click after its view: mostly within the window, a few on its exact edges (0 and the
 * window itself, both count) and a few just outside it (before the view, or past the window).
 */
function delay(rnd: () => number, windowMs: number): number {
  const r = rnd();
  if (r < 0.03) return 0;
  if (r < 0.06) return windowMs;
  if (r < 0.1) return windowMs + 1 + Math.floor(rnd() * 120_000);
  if (r < 0.13) return -1 - Math.floor(rnd() * 30_000);
  // Most clicks come soon after the view: square the draw to skew towards small delays.
  return Math.floor(rnd() ** 2 * windowMs);
}

/**
 * Click logs for generated views: a share of the valid views get one to three clicks (the view
 * parsed only to know when it started), plus orphans and malformed records. Returned in click-time
 * order, as a click log is written.
 */
export function generateClicks(
  views: Iterable<GeneratedView>,
  o: ClickGeneratorOptions = {},
): GeneratedClick[] {
  const rnd = prng((o.seed ?? 1) ^ 0x2c1b3c6d);
  const windowMs = o.clickWindowMs ?? 10 * 60_000;
  const out: GeneratedClick[] = [];
  let n = 0;
  const emit = (viewId: string, ts: number) => {
    const click_id = `c-${o.seed ?? 1}-${n}`;
    const base = { click_id, view_id: viewId, click_timestamp: formatTs(ts, n % 3) };
    n++;
    if (o.malformed && rnd() < o.malformed) {
      const make = MALFORMED[Math.floor(rnd() * MALFORMED.length)] as (typeof MALFORMED)[number];
      out.push({ key: click_id, value: make(base), kind: 'malformed', ts });
    } else out.push({ key: click_id, value: JSON.stringify(base), kind: 'valid', ts });
  };
  for (const v of views) {
    if (v.kind !== 'valid' || rnd() >= (o.clickRate ?? 0.1)) continue;
    const view = parseView(v.value);
    const r = rnd();
    const clicks = r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
    for (let i = 0; i < clicks; i++) emit(view.view_id, Math.max(0, view.start + delay(rnd, windowMs)));
    if (o.orphans && rnd() < o.orphans) emit(`no-such-view-${n}`, view.start + Math.floor(rnd() * 60_000));
  }
  // Stable sort: clicks of equal time keep their generation order.
  return out.sort((a, b) => a.ts - b.ts);
}
