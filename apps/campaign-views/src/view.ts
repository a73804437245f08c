/** A validated view-log record. Durations are in seconds. */
export interface View {
  readonly view_id: string;
  readonly start: number;
  readonly end: number;
  readonly banner_id: number;
  readonly campaign_id: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a timestamp of the view-log contract: ISO-8601 (`2025-11-06T12:30:05Z`), the same with a
 * space and no zone (`2025-11-06 12:30:05`, meaning UTC), or epoch milliseconds. Returns NaN if invalid.
 */
export function parseTimestamp(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : Number.NaN;
  if (typeof v !== 'string') return Number.NaN;
  const m = ISO.exec(v);
  if (!m) return Number.NaN;
  const zone = m[8] ?? 'Z';
  const frac = m[7] ? m[7].slice(0, 4) : '';
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${zone}`);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Validates a parsed JSON value; throws with a reason that ends up in the DLQ header. */
export function toView(raw: unknown): View {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('view is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.view_id !== 'string' || o.view_id === '')
    throw new Error('view_id must be a non-empty string');
  if (!isInt(o.banner_id)) throw new Error('banner_id must be an integer');
  if (!isInt(o.campaign_id)) throw new Error('campaign_id must be an integer');
  const start = parseTimestamp(o.start_timestamp);
  if (Number.isNaN(start)) throw new Error('start_timestamp is missing or not a valid timestamp');
  const end = parseTimestamp(o.end_timestamp);
  if (Number.isNaN(end)) throw new Error('end_timestamp is missing or not a valid timestamp');
  if (end < start) throw new Error('end_timestamp is before start_timestamp');
  return { view_id: o.view_id, start, end, banner_id: o.banner_id, campaign_id: o.campaign_id };
}

/** Bytes of a view-log record to a View; bad JSON and bad fields both throw (-> dead-letter topic). */
export function parseView(text: string): View {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('value is not valid JSON');
  }
  return toView(raw);
}
