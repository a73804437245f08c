import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, WindowedEntry, WindowStore } from '../state/store.js';

/**
 * Typed in-memory stores for the TopologyTestDriver: ordered by serialized key bytes like the real
 * stores, with no cache or changelog (the driver commits nothing to Kafka).
 */
export class MemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private readonly map = new Map<string, { key: K; value: V; bytes: Buffer }>();

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
  ) {}

  private id(key: K): { id: string; bytes: Buffer } {
    const bytes = this.keySerde.serialize(key) ?? Buffer.alloc(0);
    return { id: bytes.toString('latin1'), bytes };
  }

  get(key: K): V | undefined {
    return this.map.get(this.id(key).id)?.value;
  }

  put(key: K, value: V): void {
    if (value === undefined || value === null) {
      this.delete(key);
      return;
    }
    const { id, bytes } = this.id(key);
    this.map.set(id, { key, value, bytes });
  }

  putAll(entries: Iterable<KeyValue<K, V>>): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): V | undefined {
    const { id } = this.id(key);
    const old = this.map.get(id)?.value;
    this.map.delete(id);
    return old;
  }

  private sorted(): { key: K; value: V; bytes: Buffer }[] {
    return [...this.map.values()].sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  }

  async *range(from: K, to: K): AsyncIterable<KeyValue<K, V>> {
    const lo = this.id(from).bytes;
    const hi = this.id(to).bytes;
    for (const e of this.sorted()) {
      if (Buffer.compare(e.bytes, lo) >= 0 && Buffer.compare(e.bytes, hi) <= 0)
        yield { key: e.key, value: e.value };
    }
  }

  async *prefixScan<P>(prefix: P, prefixSerde: Serde<P>): AsyncIterable<KeyValue<K, V>> {
    const p = prefixSerde.serialize(prefix) ?? Buffer.alloc(0);
    for (const e of this.sorted()) {
      if (e.bytes.subarray(0, p.length).equals(p)) yield { key: e.key, value: e.value };
    }
  }

  async *all(): AsyncIterable<KeyValue<K, V>> {
    for (const e of this.sorted()) yield { key: e.key, value: e.value };
  }

  approximateNumEntries(): number {
    return this.map.size;
  }
}

export class MemoryWindowStore<K, V> implements WindowStore<K, V> {
  private readonly map = new Map<string, { key: K; bytes: Buffer; windowStart: number; value: V }>();

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly retentionMs: number,
  ) {}

  private id(key: K, start: number): { id: string; bytes: Buffer } {
    const bytes = this.keySerde.serialize(key) ?? Buffer.alloc(0);
    return { id: `${bytes.toString('latin1')}|${start}`, bytes };
  }

  put(key: K, value: V | undefined, windowStart: number): void {
    const { id, bytes } = this.id(key, windowStart);
    if (value === undefined || value === null) this.map.delete(id);
    else this.map.set(id, { key, bytes, windowStart, value });
  }

  fetch(key: K, windowStart: number): V | undefined {
    return this.map.get(this.id(key, windowStart).id)?.value;
  }

  private sorted() {
    return [...this.map.values()].sort(
      (a, b) => Buffer.compare(a.bytes, b.bytes) || a.windowStart - b.windowStart,
    );
  }

  async *fetchRange(key: K, timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>> {
    const kb = this.keySerde.serialize(key) ?? Buffer.alloc(0);
    for (const e of this.sorted()) {
      if (e.bytes.equals(kb) && e.windowStart >= timeFrom && e.windowStart <= timeTo) {
        yield { key: e.key, windowStart: e.windowStart, value: e.value };
      }
    }
  }

  async *fetchAll(timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>> {
    for (const e of this.sorted()) {
      if (e.windowStart >= timeFrom && e.windowStart <= timeTo)
        yield { key: e.key, windowStart: e.windowStart, value: e.value };
    }
  }

  async *all(): AsyncIterable<WindowedEntry<K, V>> {
    for (const e of this.sorted()) yield { key: e.key, windowStart: e.windowStart, value: e.value };
  }

  /** Drops windows past retention, as the real stores do. */
  expire(streamTime: number): void {
    for (const [id, e] of this.map) if (e.windowStart + this.retentionMs <= streamTime) this.map.delete(id);
  }
}
