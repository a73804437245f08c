import { TributaryError } from '../../errors.js';
import type { KeyValue } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import type {
  KeyValueStore,
  SessionEntry,
  SessionStore,
  StoreDefinition,
  TimestampedWindowStore,
  ValueAndTimestamp,
  WindowedEntry,
} from '../../state/store.js';
import type { RangeOptions } from './bytes-store.js';
import {
  prefixUpperBound,
  readOrderedInt64,
  sessionKeyCodec,
  windowKeyCodec,
  writeOrderedInt64,
} from './key-codec.js';
import type { WriteBuffer } from './write-buffer.js';

/** Shared by a task's stores so closing the task invalidates every handle a processor kept. */
export interface StoreLifecycle {
  closed: boolean;
}

/** The outer layer: the only one that knows serdes. Everything below works on bytes. */
abstract class TypedStore<K, V> {
  constructor(
    protected readonly definition: StoreDefinition<K, V>,
    protected readonly buffer: WriteBuffer,
    protected readonly lifecycle: StoreLifecycle,
    /**
     * The topic serdes get, as in Kafka Streams (schema-registry serdes key on it): the changelog
     * topic for task stores, the source topic for global stores (it is their changelog).
     */
    protected readonly topic: string,
  ) {}

  get name(): string {
    return this.definition.name;
  }

  protected open(): void {
    if (this.lifecycle.closed) throw new TributaryError('STORE_CLOSED', `store ${this.name} is closed`);
  }

  protected keyBytes(key: K): Buffer {
    const bytes = this.definition.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TributaryError('SERDE_ERROR', `store ${this.name}: key serialized to null`);
    return bytes;
  }

  protected valueBytes(value: V | undefined): Buffer | null {
    return value === undefined || value === null
      ? null
      : this.definition.valueSerde.serialize(value, this.topic);
  }

  protected value(bytes: Buffer): V {
    return this.definition.valueSerde.deserialize(bytes, this.topic);
  }
}

export class TypedKeyValueStore<K, V> extends TypedStore<K, V> implements KeyValueStore<K, V> {
  get(key: K): V | undefined {
    this.open();
    const bytes = this.buffer.get(this.keyBytes(key));
    return bytes === undefined ? undefined : this.value(bytes);
  }

  /** A null or undefined value deletes the key, as in Kafka Streams. */
  put(key: K, value: V): void {
    this.open();
    this.buffer.put(this.keyBytes(key), this.valueBytes(value));
  }

  putAll(entries: Iterable<KeyValue<K, V>>): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): V | undefined {
    this.open();
    const keyBytes = this.keyBytes(key);
    const previous = this.buffer.get(keyBytes);
    this.buffer.put(keyBytes, null);
    return previous === undefined ? undefined : this.value(previous);
  }

  range(from: K, to: K): AsyncIterable<KeyValue<K, V>> {
    this.open();
    const options = { from: this.keyBytes(from), to: this.keyBytes(to) };
    // Inverted bounds select nothing (Kafka Streams warns and returns an empty iterator).
    if (Buffer.compare(options.from, options.to) > 0) return empty();
    return this.scan(options);
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): AsyncIterable<KeyValue<K, V>> {
    this.open();
    const bytes = prefixSerde.serialize(prefix, this.topic) ?? Buffer.alloc(0);
    return this.scan({ from: bytes, to: prefixUpperBound(bytes) }, bytes);
  }

  all(): AsyncIterable<KeyValue<K, V>> {
    this.open();
    return this.scan({});
  }

  /** Backend count corrected by the unflushed writes (exact for both backends here). */
  approximateNumEntries(): number {
    this.open();
    let n = this.buffer.store.inner.approximateCount();
    for (const e of this.buffer.overlay().values()) {
      const stored = this.buffer.store.get(e.key) !== undefined;
      if (e.value === null && stored) n--;
      if (e.value !== null && !stored) n++;
    }
    return n;
  }

  private async *scan(options: RangeOptions, prefix?: Buffer): AsyncIterable<KeyValue<K, V>> {
    const { keySerde } = this.definition;
    for await (const chunk of this.buffer.range(options)) {
      for (const [k, v] of chunk) {
        // The upper bound is exclusive for prefixes; the inclusive range may reach it.
        if (prefix !== undefined && !startsWith(k, prefix)) return;
        yield { key: keySerde.deserialize(k, this.topic), value: this.value(v) };
      }
    }
  }
}

/** Bytes of a timestamped window value: the timestamp, then the value serde's bytes. */
const TIMESTAMP_BYTES = 8;

/**
 * A window store; with `definition.timestamped` every value carries a timestamp too (see
 * TimestampedWindowStore). Both share this class so expiry, restore and scans stay one code path.
 */
export class TypedWindowStore<K, V> extends TypedStore<K, V> implements TimestampedWindowStore<K, V> {
  /** Window starts present locally, so expiry only scans when something actually expired. */
  private readonly starts = new Set<number>();

  /** Indexes the window starts already in the backend (after restore). */
  async init(): Promise<void> {
    for await (const chunk of this.buffer.store.range()) {
      for (const [k] of chunk) this.starts.add(windowKeyCodec.windowStart(k));
    }
  }

  put(key: K, value: V | undefined, windowStart: number): void {
    if (!this.definition.timestamped || value === undefined || value === null) {
      this.write(key, windowStart, this.valueBytes(value));
      return;
    }
    const stored = this.fetchWithTimestamp(key, windowStart);
    this.putWithTimestamp(key, value, windowStart, stored?.timestamp ?? windowStart);
  }

  putWithTimestamp(key: K, value: V | undefined, windowStart: number, timestamp: number): void {
    this.requireTimestamped();
    const inner = this.valueBytes(value);
    if (inner === null) {
      this.write(key, windowStart, null);
      return;
    }
    const bytes = Buffer.allocUnsafe(TIMESTAMP_BYTES + inner.length);
    writeOrderedInt64(bytes, 0, timestamp);
    inner.copy(bytes, TIMESTAMP_BYTES);
    this.write(key, windowStart, bytes);
  }

  fetch(key: K, windowStart: number): V | undefined {
    this.open();
    const bytes = this.buffer.get(windowKeyCodec.encode(this.keyBytes(key), windowStart));
    return bytes === undefined ? undefined : this.decode(bytes);
  }

  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | undefined {
    this.requireTimestamped();
    this.open();
    const bytes = this.buffer.get(windowKeyCodec.encode(this.keyBytes(key), windowStart));
    if (bytes === undefined) return undefined;
    return { value: this.decode(bytes), timestamp: readOrderedInt64(bytes, 0) };
  }

  private write(key: K, windowStart: number, bytes: Buffer | null): void {
    this.open();
    this.buffer.put(windowKeyCodec.encode(this.keyBytes(key), windowStart), bytes);
    if (bytes !== null) this.starts.add(windowStart);
  }

  private decode(bytes: Buffer): V {
    return this.value(this.definition.timestamped ? bytes.subarray(TIMESTAMP_BYTES) : bytes);
  }

  private requireTimestamped(): void {
    if (!this.definition.timestamped)
      throw new TributaryError('ILLEGAL_STATE', `window store ${this.name} does not keep timestamps`);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>> {
    this.open();
    if (timeFrom > timeTo) return empty();
    return this.scanKey(key, windowKeyCodec.bounds(this.keyBytes(key), timeFrom, timeTo));
  }

  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>> {
    this.open();
    return this.scan(timeFrom, timeTo);
  }

  all(): AsyncIterable<WindowedEntry<K, V>> {
    this.open();
    return this.scan(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** Deletes windows with windowStart + retentionMs <= streamTime, locally only (see change-logging.ts). */
  async expire(streamTime: number): Promise<void> {
    const retention = this.definition.retentionMs;
    if (retention === undefined || this.lifecycle.closed) return;
    const cutoff = streamTime - retention;
    if (![...this.starts].some((s) => s <= cutoff)) return;
    const expired = (k: Buffer) => windowKeyCodec.windowStart(k) <= cutoff;
    this.buffer.dropWhere(expired);
    let keys: Buffer[] = [];
    for await (const chunk of this.buffer.store.range()) {
      for (const [k] of chunk) if (expired(k)) keys.push(k);
      if (keys.length >= 10_000) {
        await this.buffer.store.deleteLocal(keys);
        keys = [];
      }
    }
    await this.buffer.store.deleteLocal(keys);
    for (const s of this.starts) if (s <= cutoff) this.starts.delete(s);
  }

  private async *scanKey(key: K, bounds: RangeOptions): AsyncIterable<WindowedEntry<K, V>> {
    for await (const chunk of this.buffer.range(bounds)) {
      for (const [k, v] of chunk)
        yield { key, windowStart: windowKeyCodec.windowStart(k), value: this.decode(v) };
    }
  }

  private async *scan(timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>> {
    const { keySerde } = this.definition;
    for await (const chunk of this.buffer.range()) {
      for (const [k, v] of chunk) {
        const windowStart = windowKeyCodec.windowStart(k);
        if (windowStart < timeFrom || windowStart > timeTo) continue;
        const key = keySerde.deserialize(windowKeyCodec.key(k), this.topic);
        yield { key, windowStart, value: this.decode(v) };
      }
    }
  }
}

/** Backend expiry keeps sessions this much longer than the retention Kafka Streams' reads apply. */
const SESSION_EXPIRY_SLACK_MS = 24 * 60 * 60 * 1000;

export class TypedSessionStore<K, V> extends TypedStore<K, V> implements SessionStore<K, V> {
  /** Latest session end put (Kafka Streams' store-level observed stream time); drives retention. */
  private observedEnd = Number.NEGATIVE_INFINITY;

  async init(): Promise<void> {
    for await (const chunk of this.buffer.store.range()) {
      for (const [k] of chunk) this.observedEnd = Math.max(this.observedEnd, sessionKeyCodec.end(k));
    }
  }

  put(key: K, start: number, end: number, value: V | undefined): void {
    this.open();
    this.buffer.put(sessionKeyCodec.encode(this.keyBytes(key), start, end), this.valueBytes(value));
    this.observedEnd = Math.max(this.observedEnd, end);
  }

  remove(key: K, start: number, end: number): void {
    this.put(key, start, end, undefined);
  }

  fetchSession(key: K, start: number, end: number): V | undefined {
    this.open();
    const bytes = this.buffer.get(sessionKeyCodec.encode(this.keyBytes(key), start, end));
    return bytes === undefined ? undefined : this.value(bytes);
  }

  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): AsyncIterable<SessionEntry<K, V>> {
    this.open();
    const from = Math.max(earliestSessionEnd, this.visibleFrom());
    return this.scan(
      sessionKeyCodec.bounds(this.keyBytes(key), from, Number.MAX_SAFE_INTEGER),
      (s) => s <= latestSessionStart,
      key,
    );
  }

  fetch(key: K): AsyncIterable<SessionEntry<K, V>> {
    this.open();
    const bounds = sessionKeyCodec.bounds(this.keyBytes(key), this.visibleFrom(), Number.MAX_SAFE_INTEGER);
    return this.scan(bounds, () => true, key);
  }

  all(): AsyncIterable<SessionEntry<K, V>> {
    this.open();
    return this.scan({}, () => true);
  }

  /** Deletes sessions long past retention, locally only (see change-logging.ts). */
  async expire(streamTime: number): Promise<void> {
    const retention = this.definition.retentionMs;
    if (retention === undefined || this.lifecycle.closed) return;
    const cutoff = Math.min(streamTime, this.observedEnd) - retention - SESSION_EXPIRY_SLACK_MS;
    const expired = (k: Buffer) => sessionKeyCodec.end(k) <= cutoff;
    this.buffer.dropWhere(expired);
    const keys: Buffer[] = [];
    for await (const chunk of this.buffer.store.range())
      for (const [k] of chunk) if (expired(k)) keys.push(k);
    if (keys.length > 0) await this.buffer.store.deleteLocal(keys);
  }

  /** The earliest session end reads still see: as Kafka Streams, observed end - retention + 1. */
  private visibleFrom(): number {
    const retention = this.definition.retentionMs;
    if (retention === undefined || this.observedEnd === Number.NEGATIVE_INFINITY)
      return Number.MIN_SAFE_INTEGER;
    return Math.max(Number.MIN_SAFE_INTEGER, this.observedEnd - retention + 1);
  }

  private async *scan(
    bounds: RangeOptions,
    startOk: (start: number) => boolean,
    key?: K,
  ): AsyncIterable<SessionEntry<K, V>> {
    const { keySerde } = this.definition;
    for await (const chunk of this.buffer.range(bounds)) {
      for (const [k, v] of chunk) {
        const start = sessionKeyCodec.start(k);
        if (!startOk(start)) continue;
        yield {
          key: key ?? keySerde.deserialize(sessionKeyCodec.key(k), this.topic),
          start,
          end: sessionKeyCodec.end(k),
          value: this.value(v),
        };
      }
    }
  }
}

async function* empty<T>(): AsyncIterable<T> {}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
