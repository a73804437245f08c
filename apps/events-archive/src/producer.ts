import { mulberry32 } from '@tributary/app-kit';

// One source holds a comma and quotes on purpose: the CSV archive must quote it correctly.
export const SOURCES = ['sensor-a', 'sensor-b', 'web', 'mobile', 'import "batch", v2'] as const;

export interface GeneratedEvent {
  /** Kafka key: the event id. */
  readonly key: string;
  /** The JSON value as produced (ts in one of several accepted formats). */
  readonly value: Record<string, unknown>;
  /** The event time the generator meant, epoch ms: ground truth for tests, independent of parsing. */
  readonly tsMs: number;
}

export interface EventGeneratorOptions {
  seed: number;
  /** Event times are uniform in [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2025-11-06T17:30:05+05:30`: the same instant written in a +hh:mm zone. */
function withOffset(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${d}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Endless deterministic events for a seed. A quarter are the first seed's location events
 * ({event_id, ts, lat, lon, device_id}), the rest value events ({event_id, ts, value, source}) with
 * 10% null values and 5% null sources. `ts` rotates through epoch ms, `toISOString()`, `YYYY-MM-DD
 * HH:mm:ss` (UTC) and a +05:30 offset; the last two carry whole seconds, so tsMs is truncated to them.
 */
export function* eventGenerator(o: EventGeneratorOptions): Generator<GeneratedEvent> {
  const rnd = mulberry32(o.seed);
  for (let i = 0; ; i++) {
    const event_id = `evt-${o.seed}-${i}`;
    let tsMs = o.startMs + Math.floor(rnd() * o.spanMs);
    const format = i % 4;
    if (format >= 2) tsMs -= tsMs % 1000;
    const ts =
      format === 0
        ? tsMs
        : format === 1
          ? new Date(tsMs).toISOString()
          : format === 2
            ? new Date(tsMs).toISOString().slice(0, 19).replace('T', ' ')
            : withOffset(tsMs, 330);
    const value: Record<string, unknown> =
      rnd() < 0.25
        ? {
            event_id,
            ts,
            lat: Math.round((rnd() * 180 - 90) * 1e6) / 1e6,
            lon: Math.round((rnd() * 360 - 180) * 1e6) / 1e6,
            device_id: `device-${Math.floor(rnd() * 50)}`,
          }
        : {
            event_id,
            ts,
            value: rnd() < 0.1 ? null : Math.round(rnd() * 1e6) / 100,
            source: rnd() < 0.05 ? null : SOURCES[Math.floor(rnd() * SOURCES.length)],
          };
    yield { key: event_id, value, tsMs };
  }
}

export function generateEvents(o: EventGeneratorOptions, count: number): GeneratedEvent[] {
  const out: GeneratedEvent[] = [];
  for (const e of eventGenerator(o)) {
    if (out.length >= count) break;
    out.push(e);
  }
  return out;
}

/** Values the streams app must dead-letter: bad JSON, wrong shapes, invalid fields. */
export const MALFORMED_EVENTS: readonly string[] = [
  '{"event_id":"e1","ts":1762430000000,"value":1', // truncated JSON
  'garbage',
  '"just a string"',
  '{"ts":1762430000000,"value":1}',
  '{"event_id":"e2","ts":"yesterday","value":1}',
  '{"event_id":"e3","ts":"2025-02-30T00:00:00Z","value":1}',
  '{"event_id":"e4","ts":1762430000000.5,"value":1}',
  '{"event_id":"e5","ts":1762430000000,"value":"12"}',
  '{"event_id":"e6","ts":1762430000000,"source":"web"}',
  '{"event_id":"e7","ts":1762430000000,"lat":91,"lon":0}',
  '{"event_id":"e8","ts":1762430000000,"lat":10}',
];
