/** One archived row: the union of the generic event and the first seed's location event. */
export interface ArchivedEvent {
  readonly event_id: string;
  /** Event time, epoch ms (UTC); it also picks the `dt=YYYY-MM-DD` partition. */
  readonly ts: number;
  readonly value: number | null;
  readonly source: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly device_id: string | null;
}

/** Year 10000: beyond it `dt=YYYY-MM-DD` would need a sign and more digits. */
const MAX_TS = Date.UTC(10000, 0, 1);

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Event time from `ts`: epoch milliseconds (an integer number), or an ISO-8601 date-time string
 * (`2025-11-06T12:30:05.123Z`, `2025-11-06T14:30:05+02:00`, or `2025-11-06 12:30:05`, which
 * without a zone means UTC, as the seeds wrote it). Fractions below a millisecond are truncated.
 * Impossible dates (Feb 30, hour 24) are rejected rather than rolled over as Date.UTC would.
 */
export function parseTimestamp(ts: unknown): number {
  let ms: number;
  if (typeof ts === 'number') {
    if (!Number.isInteger(ts)) throw new Error(`ts must be integer epoch ms, got ${ts}`);
    ms = ts;
  } else if (typeof ts === 'string') {
    const m = ISO.exec(ts.trim());
    if (!m) throw new Error(`ts is not ISO-8601 or epoch ms: ${JSON.stringify(ts)}`);
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
    const frac = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
    const local = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, frac);
    const back = new Date(local);
    if (back.getUTCDate() !== d || back.getUTCMonth() !== mo! - 1 || h! > 23 || mi! > 59 || s! > 59) {
      throw new Error(`ts is not a valid date-time: ${JSON.stringify(ts)}`);
    }
    ms = local - zoneOffsetMs(m[8]);
  } else {
    throw new Error(`ts must be a string or a number, got ${ts === null ? 'null' : typeof ts}`);
  }
  if (ms < 0 || ms >= MAX_TS) throw new Error(`ts out of range (1970..9999): ${JSON.stringify(ts)}`);
  return ms;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) throw new Error(`bad zone offset ${zone}`);
  return sign * (hours * 60 + minutes) * 60_000;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function optional<T>(
  obj: Record<string, unknown>,
  name: string,
  ok: (v: unknown) => v is T,
  what: string,
): T | null {
  const v = obj[name];
  if (v === undefined || v === null) return null;
  if (!ok(v)) throw new Error(`${name} must be ${what} or null, got ${JSON.stringify(v)}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Validates a parsed JSON value and returns the archived row; throws with the reason otherwise (the
 * runtime dead-letters the original bytes). Accepted shapes, extra fields ignored:
 *   value event:    {event_id, ts, value: number | null, source?: string | null}
 *   location event: {event_id, ts, lat, lon, device_id?: string | null}   (lat in [-90, 90], lon in [-180, 180])
 * A record may carry both. `value` must be present (null allowed) unless lat/lon are, so a record
 * with neither payload is rejected instead of archived as an empty row.
 */
export function parseEvent(input: unknown): ArchivedEvent {
  if (!isObject(input)) throw new Error('event must be a JSON object');
  const { event_id } = input;
  if (typeof event_id !== 'string' || event_id === '') throw new Error('event_id must be a non-empty string');
  const ts = parseTimestamp(input.ts);
  const value = optional(input, 'value', isFiniteNumber, 'a finite number');
  const source = optional(input, 'source', isString, 'a string');
  const lat = optional(input, 'lat', isFiniteNumber, 'a finite number');
  const lon = optional(input, 'lon', isFiniteNumber, 'a finite number');
  const device_id = optional(input, 'device_id', isString, 'a string');
  if ((lat === null) !== (lon === null)) throw new Error('lat and lon must come together');
  if (lat !== null && (lat < -90 || lat > 90)) throw new Error(`lat out of range: ${lat}`);
  if (lon !== null && (lon < -180 || lon > 180)) throw new Error(`lon out of range: ${lon}`);
  if (!('value' in input) && lat === null) {
    throw new Error('neither a value event (value) nor a location event (lat, lon)');
  }
  return { event_id, ts, value, source, lat, lon, device_id };
}
