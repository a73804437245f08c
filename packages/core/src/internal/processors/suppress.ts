import { type Change, change } from '../../change.js';
import { TributaryError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Headers, StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValueStore } from '../../state/store.js';
import type { Windowed } from '../../windowed.js';
import { type IndexedKey, TimeOrderedIndex } from './time-ordered-index.js';

/**
 * One key of a suppression buffer as its store holds it. Values are bytes in the table's serde (as
 * Kafka Streams keeps them), so the byte estimate is exact and restore needs no second serde.
 */
export interface BufferedRecord {
  /** Buffer time: first record time (time limit) or window end (window close); kept on update. */
  readonly time: number;
  /** The table's value before the key was first buffered: what the suppressed table still shows. */
  readonly prior: Uint8Array | null;
  readonly old: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** True until the key is updated: prior and old are then one value, counted once in the size. */
  readonly priorIsOld: boolean;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string | null;
}

export interface SuppressSpec<K, V> {
  readonly name: string;
  readonly storeName: string;
  /** 'record': the record's timestamp (untilTimeLimit); 'window-end': the windowed key's end. */
  readonly bufferTime: 'record' | 'window-end';
  /** Stream time must pass buffer time + this before a key is emitted. */
  readonly durationMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly whenFull: 'emit-early' | 'shut-down';
  /** Final results drop tombstones (a merged-away session); a time limit forwards them. */
  readonly dropTombstones: boolean;
  /**
   * Stamp the emitted record with the largest timestamp buffered for the key instead of the last
   * one: windowed 'update' results carry their own record's timestamp, Kafka Streams' the window's
   * largest, and the largest buffered one is that value.
   */
  readonly maxTimestamp: boolean;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
}

/** Record-context overhead in Kafka Streams' estimate: timestamp, offset (8 bytes each), partition. */
const CONTEXT_BYTES = 8 + 8 + 4;
/** The buffer time itself, in the same estimate. */
const TIME_BYTES = 8;

const len = (b: Uint8Array | null): number => (b === null ? 0 : b.length);
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

/**
 * KTable.suppress: buffers the latest Change per key in a changelogged store and forwards it once
 * stream time has passed its buffer time + duration, in (buffer time, key bytes) order, as Kafka
 * Streams' suppress processor. A full buffer emits its oldest keys early or fails the task.
 */
export class SuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store!: KeyValueStore<K, BufferedRecord>;
  private readonly index = new TimeOrderedIndex<K>();
  /** Kafka Streams does not keep it either: after a restart it starts again from the next record. */
  private streamTime = Number.NEGATIVE_INFINITY;
  private readonly sized: boolean;

  constructor(private readonly spec: SuppressSpec<K, V>) {
    this.sized = Number.isFinite(spec.maxBytes);
  }

  async init(ctx: ProcessorContext<K, Change<V>>): Promise<void> {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<K, BufferedRecord>>(this.spec.storeName);
    // Rebuild the time index from the restored buffer: every key in the store is still waiting.
    for await (const { key, value } of this.store.all()) {
      const keyBytes = this.keyBytes(key);
      const size = this.sizeOf(keyBytes, value);
      this.index.add({ id: keyBytes.toString('latin1'), key, keyBytes, time: value.time, size });
    }
    // Under watermarks, keys fall due when the watermark moves, also without a record arriving here.
    if (ctx.eventTime === 'watermark')
      ctx.schedule(1, 'stream-time', () => {
        const before = this.streamTime;
        this.observe(Number.NEGATIVE_INFINITY);
        if (this.streamTime > before) this.enforce();
      });
  }

  /** The clock: the largest timestamp seen (Kafka Streams), or under watermarks the task's watermark. */
  private observe(timestamp: number): void {
    const t = this.ctx.eventTime === 'watermark' ? this.ctx.currentStreamTime() : timestamp;
    if (t > this.streamTime) this.streamTime = t;
  }

  /** Keys with buffer time at or before this are due. */
  private expiryTime(): number {
    return this.streamTime - this.spec.durationMs;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    this.observe(record.timestamp);
    const keyBytes = this.keyBytes(record.key);
    const id = keyBytes.toString('latin1');
    const old = this.serialize(record.value.oldValue);
    const value = this.serialize(record.value.newValue);
    const base = {
      old,
      value,
      headers: record.headers,
      topic: this.ctx.recordMetadata?.topic ?? null,
    };
    const existing = this.index.get(id);
    if (existing) {
      const prev = this.store.get(record.key);
      const timestamp =
        this.spec.maxTimestamp && prev ? Math.max(prev.timestamp, record.timestamp) : record.timestamp;
      const next = { ...base, time: existing.time, prior: prev?.prior ?? null, priorIsOld: false, timestamp };
      this.store.put(record.key, next);
      this.index.resize(existing, this.sizeOf(keyBytes, next));
    } else {
      const time = this.bufferTime(record);
      const next = { ...base, time, prior: old, priorIsOld: true, timestamp: record.timestamp };
      this.store.put(record.key, next);
      this.index.add({ id, key: record.key, keyBytes, time, size: this.sizeOf(keyBytes, next) });
    }
    this.enforce();
  }

  private bufferTime(record: StreamRecord<K, Change<V>>): number {
    if (this.spec.bufferTime === 'record') return record.timestamp;
    return (record.key as unknown as Windowed<unknown>).window.end;
  }

  private enforce(): void {
    const expiry = this.expiryTime();
    for (let head = this.index.peek(); head && head.time <= expiry; head = this.index.peek()) this.evict();
    if (!this.overCapacity()) return;
    if (this.spec.whenFull === 'emit-early') {
      while (this.overCapacity()) this.evict();
      return;
    }
    throw new TributaryError(
      'SUPPRESS_BUFFER_FULL',
      `suppress ${this.spec.name}: buffer exceeded its capacity with ${this.index.size}/${this.spec.maxRecords} records` +
        (this.sized ? ` and ${this.index.totalBytes}/${this.spec.maxBytes} bytes` : ''),
    );
  }

  private overCapacity(): boolean {
    return this.index.size > this.spec.maxRecords || this.index.totalBytes > this.spec.maxBytes;
  }

  private evict(): void {
    const head = this.index.pop() as IndexedKey<K>;
    const entry = this.store.get(head.key);
    this.store.delete(head.key);
    if (!entry || (entry.value === null && this.spec.dropTombstones)) return;
    this.ctx.forward({
      key: head.key,
      value: change(this.deserialize(entry.value), this.deserialize(entry.old)),
      timestamp: entry.timestamp,
      headers: entry.headers,
    });
  }

  private keyBytes(key: K): Buffer {
    if (key === null || key === undefined) {
      throw new TributaryError('PROCESSING_FAILED', `suppress ${this.spec.name}: record has a null key`);
    }
    const bytes = this.spec.keySerde.serialize(key, this.spec.storeName);
    if (bytes === null) {
      throw new TributaryError('SERDE_ERROR', `suppress ${this.spec.name}: key serialized to null`);
    }
    return bytes;
  }

  private serialize(v: V | undefined): Uint8Array | null {
    return v === undefined ? null : this.spec.valueSerde.serialize(v, this.spec.storeName);
  }

  private deserialize(b: Uint8Array | null): V | undefined {
    if (b === null) return undefined;
    const v = this.spec.valueSerde.deserialize(asBuffer(b), this.spec.storeName);
    return v === null ? undefined : v;
  }

  /** Kafka Streams' estimate: time, key, prior/old/new values, record context (topic, headers). */
  private sizeOf(keyBytes: Buffer, e: BufferedRecord): number {
    if (!this.sized) return 0;
    let headers = 0;
    for (const [k, v] of Object.entries(e.headers)) {
      headers += k.length + (v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
    }
    return (
      TIME_BYTES +
      keyBytes.length +
      len(e.prior) +
      (e.priorIsOld ? 0 : len(e.old)) +
      len(e.value) +
      CONTEXT_BYTES +
      (e.topic?.length ?? 0) +
      headers
    );
  }
}

/** The suppressed table's view of a key: the prior value while the key is buffered. */
export function bufferedPrior<V>(e: BufferedRecord, serde: Serde<V>, topic: string): V | undefined {
  if (e.prior === null) return undefined;
  const v = serde.deserialize(asBuffer(e.prior), topic);
  return v === null ? undefined : v;
}
