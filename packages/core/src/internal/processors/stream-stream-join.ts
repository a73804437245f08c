import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Headers, StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import type { KeyValueStore, WindowStore } from '../../state/store.js';
import { readOrderedInt64, writeOrderedInt64 } from '../state/key-codec.js';
import { countSkipped } from './skipped-records.js';

/** The window bounds the processor needs; the DSL's `JoinWindows` implements it. */
export interface StreamJoinWindowSpec {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
}

export type JoinSide = 'left' | 'right';

/**
 * Minimum wall-clock time between two passes over the outer store. Kafka Streams has this as an
 * internal config (`__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`, 1000 ms in a
 * KafkaStreams instance) and its TopologyTestDriver sets it to 0; measured (fixture
 * ssjoin-left-emit-throttle), unmatched results there come out at the first in-order record after
 * their window closed. Tributary does the same everywhere: which results a join emits then does not
 * depend on wall-clock time.
 */
export const OUTER_JOIN_EMIT_INTERVAL_MS = 0;

const NO_TIMESTAMP = -1;

/**
 * State shared by the two sides of one join within one task, as Kafka Streams' TimeTracker: the
 * join's stream time (both inputs), the smallest timestamp that may wait in the outer store, when
 * the next emission pass may run (wall clock), and the newest timestamp put into each side's buffer
 * (a window store only returns records within its retention of that). Not persisted: Kafka Streams
 * starts a restarted task with a fresh tracker, and the buffers' newest timestamps are rebuilt from
 * the restored stores.
 */
export class JoinTimeTracker {
  streamTime = NO_TIMESTAMP;
  /** `undefined` is Kafka Streams' Long.MAX_VALUE ("nothing waits"). */
  minTime: number | undefined = undefined;
  nextTimeToEmit = 0;
  readonly observed: Record<JoinSide, number> = { left: NO_TIMESTAMP, right: NO_TIMESTAMP };
  /**
   * The two sides' records run one after the other, in the order they were handed over: a stream
   * joined with itself (or merged sources feeding both sides) hands each record to the left side and
   * then, before the left side's asynchronous lookups finish, to the right side. Kafka Streams runs
   * them in that order, synchronously.
   */
  queue: Promise<void> = Promise.resolve();
}

/**
 * One tracker per task, shared by the join's two processors (Kafka Streams' TimeTrackerSupplier).
 * Keyed by the task's instance of the left buffer, which both processors of a task see and no
 * other task does: a task that is closed and created again (a rebalance) gets a fresh tracker, as a
 * restarted Kafka Streams task does, and the old one goes with its store.
 */
export class JoinTimeTrackers {
  private readonly byTask = new WeakMap<object, JoinTimeTracker>();
  /** Records skipped for a null key or value (Kafka Streams' dropped-records sensor), over all tasks. */
  skipped = 0;

  get(taskStore: object): JoinTimeTracker {
    let t = this.byTask.get(taskStore);
    if (!t) {
      t = new JoinTimeTracker();
      this.byTask.set(taskStore, t);
    }
    return t;
  }
}

/**
 * A list of values as one store value: several records of a key may share a timestamp (Kafka
 * Streams' retainDuplicates window store keeps them under one key and a sequence number; here the
 * window entry (key, timestamp) holds all of them, in arrival order). Elements are encoded with the
 * side's value serde, the list itself as msgpack.
 */
export function listSerde<V>(inner: Serde<V>): Serde<V[]> {
  const outer = Serdes.msgpack<(Buffer | null)[]>();
  return {
    serialize: (list, topic) =>
      list === null || list === undefined
        ? null
        : outer.serialize(
            list.map((v) => inner.serialize(v, topic)),
            topic,
          ),
    deserialize: (b, topic) => {
      if (b === null) return null as unknown as V[];
      return outer
        .deserialize(b, topic)
        .map((e) => inner.deserialize(e === null ? null : Buffer.from(e), topic));
    },
  };
}

/**
 * Key of the shared outer store: int64 timestamp (order-preserving), a side byte (right 0, left 1)
 * and the record key's bytes, so a scan yields waiting records by timestamp, right before left, then
 * key, exactly as Kafka Streams' TimestampedKeyAndJoinSide serialization orders them.
 */
export const outerKeyCodec = {
  encode(timestamp: number, side: JoinSide, key: Buffer): Buffer {
    const out = Buffer.allocUnsafe(9 + key.length);
    writeOrderedInt64(out, 0, timestamp);
    out[8] = side === 'left' ? 1 : 0;
    key.copy(out, 9);
    return out;
  },
  decode(b: Buffer): { timestamp: number; side: JoinSide; key: Buffer } {
    return { timestamp: readOrderedInt64(b, 0), side: b[8] === 1 ? 'left' : 'right', key: b.subarray(9) };
  },
};

export interface StreamJoinSideSpec<K, VL, VR, VOut> {
  readonly side: JoinSide;
  readonly windows: StreamJoinWindowSpec;
  /** Window stores buffering each side's records: Map side -> store name. */
  readonly stores: Record<JoinSide, string>;
  /** The shared store of records still waiting for a partner (left and outer joins only). */
  readonly outerStore: string | undefined;
  /** Unmatched records of this side are emitted (left side of left joins, both sides of outer joins). */
  readonly outer: boolean;
  readonly keySerde: Serde<K>;
  readonly valueSerdes: { readonly left: Serde<VL>; readonly right: Serde<VR> };
  readonly joiner: (left: VL | undefined, right: VR | undefined, key: K) => VOut;
  readonly trackers: JoinTimeTrackers;
  readonly emitIntervalMs: number;
}

/**
 * One side of a KStream-KStream join (Kafka Streams' KStreamJoinWindow + KStreamKStreamJoin of that
 * side, in one node). A record joins every record of the other side's buffer with the same key in
 * [ts - before, ts + after] (mirrored for the right side) that the buffer still retains, each result
 * stamped with the larger timestamp; it is then buffered itself. In left/outer joins a record without
 * partner waits in the shared outer store and is emitted once, when the join's stream time passes
 * ts + after + grace (before for the right side), unless a partner arrives first; a record whose
 * window is already behind stream time is emitted unmatched at once.
 */
export class StreamStreamJoinProcessor<K, VL, VR, VOut> implements Processor<K, unknown, K, VOut> {
  private ctx!: ProcessorContext<K, VOut>;
  private tracker!: JoinTimeTracker;
  private thisStore!: WindowStore<K, unknown[]>;
  private otherStore!: WindowStore<K, unknown[]>;
  private outerStore: KeyValueStore<Buffer, Buffer[]> | undefined;
  private readonly other: JoinSide;
  private readonly joinBeforeMs: number;
  private readonly joinAfterMs: number;
  private readonly retentionMs: number;

  constructor(private readonly spec: StreamJoinSideSpec<K, VL, VR, VOut>) {
    const { beforeMs, afterMs, graceMs } = spec.windows;
    const left = spec.side === 'left';
    this.other = left ? 'right' : 'left';
    this.joinBeforeMs = left ? beforeMs : afterMs;
    this.joinAfterMs = left ? afterMs : beforeMs;
    this.retentionMs = beforeMs + afterMs + graceMs;
  }

  async init(ctx: ProcessorContext<K, VOut>): Promise<void> {
    this.ctx = ctx;
    this.thisStore = ctx.getStateStore(this.spec.stores[this.spec.side]);
    this.otherStore = ctx.getStateStore(this.spec.stores[this.other]);
    this.tracker = this.spec.trackers.get(this.spec.side === 'left' ? this.thisStore : this.otherStore);
    if (this.spec.outerStore)
      this.outerStore = ctx.getStateStore<KeyValueStore<Buffer, Buffer[]>>(this.spec.outerStore);
    // The buffer's newest timestamp, as a restored Kafka Streams window store recomputes it.
    let newest = this.tracker.observed[this.spec.side];
    for await (const e of this.thisStore.all()) if (e.windowStart > newest) newest = e.windowStart;
    this.tracker.observed[this.spec.side] = newest;
    // Under watermarks, waiting records are emitted when the watermark passes their window, whether
    // or not a record arrives then; one side's timer serves both (they share the outer store).
    if (ctx.eventTime === 'watermark' && this.outerStore && this.spec.side === 'left')
      ctx.schedule(1, 'stream-time', () => this.onWatermark());
  }

  private onWatermark(): Promise<void> | undefined {
    const t = this.tracker;
    const watermark = this.ctx.currentStreamTime();
    if (!(watermark > t.streamTime)) return undefined;
    t.streamTime = watermark;
    const run = t.queue.then(() => this.emitNonJoined({}));
    t.queue = run.catch(() => {});
    return run;
  }

  private joined(key: K, thisValue: unknown, otherValue: unknown): VOut {
    return this.spec.side === 'left'
      ? this.spec.joiner(thisValue as VL | undefined, otherValue as VR | undefined, key)
      : this.spec.joiner(otherValue as VL | undefined, thisValue as VR | undefined, key);
  }

  process(record: StreamRecord<K, unknown>): Promise<void> {
    const run = this.tracker.queue.then(() => this.processInOrder(record));
    this.tracker.queue = run.catch(() => {}); // the error reaches the task through `run`
    return run;
  }

  private async processInOrder(record: StreamRecord<K, unknown>): Promise<void> {
    const t = this.tracker;
    const ts = record.timestamp;
    const watermarks = this.ctx.eventTime === 'watermark';
    // Under watermarks the join's clock moves only in onWatermark, which emits what became due.
    if (!watermarks && ts > t.streamTime) t.streamTime = ts;
    const { key, value } = record;
    const nullKey = key === null || key === undefined;
    const nullValue = value === null || value === undefined;
    if (this.spec.outer && nullKey && !nullValue) {
      // Left/outer joins pass a null-key record on at once: it can never have a partner.
      this.ctx.forward({ ...record, value: this.joined(key, value, undefined) });
      return;
    }
    if (nullKey || nullValue) {
      // Nothing to join (Kafka Streams skips and counts these too): counted, never an error.
      this.spec.trackers.skipped += 1;
      countSkipped(this.ctx as ProcessorContext<unknown, unknown>, nullKey ? 'nullKey' : 'nullValue');
      return;
    }
    if (this.outerStore && !watermarks && ts === t.streamTime) await this.emitNonJoined(record.headers);

    const timeFrom = Math.max(0, ts - this.joinBeforeMs);
    const timeTo = Math.max(0, ts + this.joinAfterMs);
    // Only what the other buffer still retains: its newest timestamp minus retention.
    const actualFrom = Math.max(timeFrom, this.retentionClock(this.other) - this.retentionMs + 1);
    let matched = false;
    if (actualFrom <= timeTo) {
      for await (const e of this.otherStore.fetchRange(key, actualFrom, timeTo)) {
        for (const otherValue of e.value) {
          matched = true;
          if (this.outerStore) {
            const k = outerKeyCodec.encode(e.windowStart, this.other, this.keyBytes(key));
            if (this.outerStore.get(k) !== undefined) this.outerStore.delete(k);
          }
          this.ctx.forward({
            ...record,
            value: this.joined(key, value, otherValue),
            timestamp: Math.max(ts, e.windowStart),
          });
        }
      }
    }
    if (this.spec.outer && !matched) {
      if (!this.outerStore || timeTo < t.streamTime) {
        this.ctx.forward({ ...record, value: this.joined(key, value, undefined) });
      } else {
        t.minTime = t.minTime === undefined ? ts : Math.min(t.minTime, ts);
        const k = outerKeyCodec.encode(ts, this.spec.side, this.keyBytes(key));
        const serde = this.spec.valueSerdes[this.spec.side] as Serde<unknown>;
        const bytes = serde.serialize(value, undefined) as Buffer;
        this.outerStore.put(k, [...(this.outerStore.get(k) ?? []), bytes]);
      }
    }
    this.buffer(key, value, ts);
  }

  /** Kafka Streams' KStreamJoinWindow: the record enters its side's buffer after it joined. */
  private buffer(key: K, value: unknown, ts: number): void {
    const t = this.tracker;
    if (ts > t.observed[this.spec.side]) t.observed[this.spec.side] = ts;
    // Already beyond retention: the store would never return it (Kafka Streams drops it as expired).
    if (ts < this.retentionClock(this.spec.side) - this.retentionMs + 1) return;
    const list = this.thisStore.fetch(key, ts) ?? [];
    this.thisStore.put(key, [...list, value], ts);
  }

  /**
   * What a buffer's retention counts back from: Kafka Streams' window store uses the newest
   * timestamp put into it; under watermarks it is the watermark, so a buffer does not forget records
   * because another partition ran ahead.
   */
  private retentionClock(side: JoinSide): number {
    return this.ctx.eventTime === 'watermark' ? this.ctx.currentStreamTime() : this.tracker.observed[side];
  }

  private keyBytes(key: K): Buffer {
    return this.spec.keySerde.serialize(key, undefined) ?? Buffer.alloc(0);
  }

  private lookBackMs(side: JoinSide): number {
    return side === 'left' ? this.spec.windows.afterMs : this.spec.windows.beforeMs;
  }

  /**
   * Kafka Streams' emitNonJoinedOuterRecords, condition for condition: skipped while nothing can be
   * due, throttled to one pass per emit interval of wall-clock time, then emits waiting records whose
   * window (ts + look-back + grace) is behind stream time, oldest first, and deletes them.
   */
  private async emitNonJoined(headers: Headers): Promise<void> {
    const t = this.tracker;
    const store = this.outerStore as KeyValueStore<Buffer, Buffer[]>;
    const grace = this.spec.windows.graceMs;
    // Long.MAX_VALUE + after + grace overflows in Kafka Streams when after + grace > 0: it proceeds.
    const mayBeDue =
      t.minTime === undefined
        ? this.joinAfterMs + grace > 0
        : t.minTime + this.joinAfterMs + grace < t.streamTime;
    if (!mayBeDue) return;
    const now = this.ctx.currentSystemTime();
    if (now < t.nextTimeToEmit) return;
    t.nextTimeToEmit = now + this.spec.emitIntervalMs;
    t.minTime = undefined;
    const open: Record<JoinSide, boolean> = { left: false, right: false };
    const due: Buffer[] = [];
    for await (const entry of store.all()) {
      const { timestamp, side, key } = outerKeyCodec.decode(entry.key);
      t.minTime = timestamp;
      if (open.left && open.right) break;
      if (timestamp + this.lookBackMs(side) + grace >= t.streamTime) {
        open[side] = true;
        continue;
      }
      const k = this.spec.keySerde.deserialize(Buffer.from(key), undefined);
      const serde = this.spec.valueSerdes[side] as Serde<unknown>;
      for (const bytes of entry.value) {
        const v = serde.deserialize(Buffer.from(bytes), undefined);
        const value =
          side === 'left' ? this.spec.joiner(v as VL, undefined, k) : this.spec.joiner(undefined, v as VR, k);
        this.ctx.forward({ key: k, value, timestamp, headers });
      }
      due.push(entry.key);
    }
    for (const k of due) store.delete(k);
  }
}
