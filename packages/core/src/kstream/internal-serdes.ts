import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { Windowed } from '../windowed.js';

/** Serde for internal topics and stores when the user gave none: msgpack, readable by any decoder. */
export function internalSerde<T>(): Serde<T> {
  return Serdes.msgpack<T>();
}

/**
 * Key serde for user-facing output topics when none is known: strings as UTF-8 (what other tools
 * expect of keys), Buffers as-is, anything else as JSON.
 */
export function defaultKeySerde<K>(): Serde<K> {
  const json = Serdes.json<unknown>();
  return {
    serialize: (k, topic) => {
      if (k === null || k === undefined) return null;
      if (typeof k === 'string') return Buffer.from(k, 'utf8');
      if (Buffer.isBuffer(k)) return k;
      return json.serialize(k, topic);
    },
    deserialize: (b) => (b === null ? (null as K) : (b.toString('utf8') as K)),
  };
}

/** Windowed keys on output topics: JSON `{"key":…,"start":…,"end":…}`. */
export function windowedJsonSerde<K>(): Serde<Windowed<K>> {
  const json = Serdes.json<{ key: K; start: number; end: number }>();
  return {
    serialize: (w, topic) => json.serialize({ key: w.key, start: w.window.start, end: w.window.end }, topic),
    deserialize: (b, topic) => {
      const o = json.deserialize(b, topic);
      return { key: o.key, window: { start: o.start, end: o.end } };
    },
  };
}
