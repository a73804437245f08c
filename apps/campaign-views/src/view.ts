import { Serdes } from '@tributary/core';

/** A validated view-log record. Durations are in seconds. */
export interface View {
  readonly view_id: string;
  readonly start: number;
  readonly end: number;
  readonly banner_id: number;
  readonly campaign_id: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/** Digit at `i` of `s` (0-9), or a negative number if it is not a digit. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -100_000;
}

/**
 * The common forms without regex or allocation: `YYYY-MM-DD[T ]HH:MM:SS` with `Z` or no zone and
 * no fraction, fields in the plain ranges (year >= 1970). Returns -1 for anything else (the caller
 * then takes the general path, so results are identical).
 */
function parseBasicUtc(s: string): number {
  const len = s.length;
  if (len !== 19 && !(len === 20 && s.charCodeAt(19) === 90)) return -1; // 'Z'
  const sep = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    (sep !== 84 && sep !== 32) ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  )
    return -1;
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  // A non-digit makes its field negative (-100,000 outweighs any other digits of the field).
  if (
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return -1;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Parses a timestamp of the view-log contract: ISO-8601 (`2025-11-06T12:30:05Z`), the same with a
 * space and no zone (`2025-11-06 12:30:05`, meaning UTC), or epoch milliseconds. Returns NaN if invalid.
 */
export function parseTimestamp(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : Number.NaN;
  if (typeof v !== 'string') return Number.NaN;
  const fast = parseBasicUtc(v);
  if (fast >= 0) return fast;
  const m = ISO.exec(v);
  if (!m) return Number.NaN;
  const zone = m[8];
  const frac = m[7] ? m[7].slice(0, 4) : '';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  let offsetMin = 0;
  let zoneOk = true;
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(zone.length - 2));
    zoneOk = zh <= 23 && zm <= 59;
    offsetMin = (zone.charCodeAt(0) === 45 ? -1 : 1) * (zh * 60 + zm);
  }
  // Fast path: the fields Date.parse accepts without special cases (it accepts day 29-31 of any
  // month and rolls over, as Date.UTC does). Years 0-99 (Date.UTC maps them to 19xx), hour 24 and
  // out-of-range fields take the original Date.parse route, so the result is the same either way.
  if (
    year >= 100 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneOk
  ) {
    const ms = frac.length > 1 ? Number(frac.slice(1).padEnd(3, '0')) : 0;
    return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  }
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${frac}${zone ?? 'Z'}`);
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

const VIEW_JSON = Serdes.json<unknown>();

/**
 * Bytes of a view-log record to a View, through the core's strict JSON serde: invalid UTF-8, JSON
 * nested over 1000 levels and `__proto__` keys are refused too (a SERDE_ERROR -> the DLQ).
 */
export function viewFromBytes(bytes: Buffer): View {
  return toView(VIEW_JSON.deserialize(bytes));
}

/** Text of a view-log record to a View; bad JSON and bad fields both throw (-> dead-letter topic). */
export function parseView(text: string): View {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('value is not valid JSON');
  }
  return toView(raw);
}
