import { TributaryError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import { changelogTopicName, type KeyValueStore, type WindowStore } from '../../state/store.js';
import { type BufferSlot, JoinBufferIndex } from './join-buffer-index.js';
import { countSkipped } from './skipped-records.js';
import type {
  JoinSide,
  JoinTimeTracker,
  JoinTimeTrackers,
  StreamJoinWindowSpec,
} from './stream-join-tracker.js';
import { WaitingRecords } from './stream-join-waiting.js';

export interface StreamJoinSideSpec<K, VL, VR, VOut> {
  readonly side: JoinSide;
  readonly windows: StreamJoinWindowSpec;
  /**
   * Window stores buffering each side's records: Map side -> store name. Their values are lists of
   * each record's bytes (serialized with that side's value serde), so the processor serializes a
   * record once, for the store and its in-memory index alike.
   */
  readonly stores: Record<JoinSide, string>;
  /** The buffers' physical retention: a row may expire from the store once this far behind stream time. */
  readonly storeRetentionMs: number;
  /** Memory of each buffer's in-memory index, per task (see JoinBufferIndex). */
  readonly indexMaxBytes: number;
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
 *
 * Lookups are served by an in-memory index of the other buffer (synchronous, no await per record);
 * only a lookup reaching below what the index holds, or an emission pass over the outer store, reads
 * the store asynchronously, and then later records of the task wait for it in order.
 */
export class StreamStreamJoinProcessor<K, VL, VR, VOut> implements Processor<K, unknown, K, VOut> {
  private ctx!: ProcessorContext<K, VOut>;
  private tracker!: JoinTimeTracker;
  private thisStore!: WindowStore<K, Buffer[]>;
  private otherStore!: WindowStore<K, Buffer[]>;
  /** Left/outer joins: the records waiting for a partner (the shared outer store). */
  private waiting: WaitingRecords<K> | undefined;
  /** The topic each side's value serde sees, as the typed store layer passes it: the changelog's. */
  private topics!: Record<JoinSide, string>;
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
    const { side, stores } = this.spec;
    this.thisStore = ctx.getStateStore(stores[side]);
    this.otherStore = ctx.getStateStore(stores[this.other]);
    this.topics = {
      left: changelogTopicName(ctx.applicationId, stores.left),
      right: changelogTopicName(ctx.applicationId, stores.right),
    };
    this.tracker = this.spec.trackers.get(side === 'left' ? this.thisStore : this.otherStore);
    if (this.spec.outerStore) {
      const { keySerde, valueSerdes, windows, emitIntervalMs, indexMaxBytes } = this.spec;
      this.waiting = new WaitingRecords<K>(
        ctx.getStateStore<KeyValueStore<Buffer, Buffer[]>>(this.spec.outerStore),
        this.tracker,
        {
          windows,
          joinAfterMs: this.joinAfterMs,
          keySerde,
          valueSerdes: valueSerdes as Record<JoinSide, Serde<unknown>>,
          unmatched: (s, v, k) =>
            s === 'left' ? this.spec.joiner(v as VL, undefined, k) : this.spec.joiner(undefined, v as VR, k),
          emitIntervalMs,
          indexMaxBytes,
        },
      );
      await this.waiting.init();
    }
    // The buffer's newest timestamp, as a restored Kafka Streams window store recomputes it, and
    // the in-memory index of what it holds.
    const index = new JoinBufferIndex(this.spec.indexMaxBytes);
    let newest = this.tracker.observed[side];
    for await (const e of this.thisStore.all()) {
      if (e.windowStart > newest) newest = e.windowStart;
      const id = this.keyId(e.key);
      for (const bytes of e.value) index.append(id, e.windowStart, bytes);
    }
    this.tracker.observed[side] = newest;
    this.tracker.index[side] = index;
    index.dropBefore(this.retainedFrom(side));
    // Under watermarks, waiting records are emitted when the watermark passes their window, whether
    // or not a record arrives then; one side's timer serves both (they share the outer store).
    if (ctx.eventTime === 'watermark' && this.waiting && side === 'left')
      ctx.schedule(1, 'stream-time', () => this.onWatermark());
  }

  private onWatermark(): Promise<void> | undefined {
    const t = this.tracker;
    const watermark = this.ctx.currentStreamTime();
    if (!(watermark > t.streamTime)) return undefined;
    t.streamTime = watermark;
    const pass = () => this.emitPass({});
    if (t.inFlight > 0) return this.track(t.queue.then(pass));
    const r = pass();
    return r === undefined ? undefined : this.track(r);
  }

  private joined(key: K, thisValue: unknown, otherValue: unknown): VOut {
    return this.spec.side === 'left'
      ? this.spec.joiner(thisValue as VL | undefined, otherValue as VR | undefined, key)
      : this.spec.joiner(otherValue as VL | undefined, thisValue as VR | undefined, key);
  }

  /**
   * Synchronous unless the record needs the store: then it returns the promise and the records that
   * follow (of either side, in this task) queue behind it, so both sides keep their order.
   */
  process(record: StreamRecord<K, unknown>): Promise<void> | undefined {
    const t = this.tracker;
    if (t.inFlight > 0) return this.track(t.queue.then(() => this.processRecord(record)));
    const r = this.processRecord(record);
    return r === undefined ? undefined : this.track(r);
  }

  private track(run: Promise<void>): Promise<void> {
    const t = this.tracker;
    t.inFlight += 1;
    const done = run.finally(() => {
      t.inFlight -= 1;
    });
    t.queue = done.catch(() => {}); // the error reaches the task through `done`
    return done;
  }

  private processRecord(record: StreamRecord<K, unknown>): Promise<void> | undefined {
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
      return undefined;
    }
    if (nullKey || nullValue) {
      // Nothing to join (Kafka Streams skips and counts these too): counted, never an error.
      this.spec.trackers.skipped += 1;
      countSkipped(this.ctx as ProcessorContext<unknown, unknown>, nullKey ? 'nullKey' : 'nullValue');
      return undefined;
    }
    if (!watermarks && ts === t.streamTime) {
      const pass = this.emitPass(record.headers);
      if (pass) return pass.then(() => this.join(record));
    }
    return this.join(record);
  }

  private join(record: StreamRecord<K, unknown>): Promise<void> | undefined {
    const ts = record.timestamp;
    const timeFrom = Math.max(0, ts - this.joinBeforeMs);
    const timeTo = Math.max(0, ts + this.joinAfterMs);
    // Only what the other buffer still retains: its newest timestamp minus retention.
    const actualFrom = Math.max(timeFrom, this.retentionClock(this.other) - this.retentionMs + 1);
    const id = this.keyId(record.key);
    if (actualFrom > timeTo) {
      this.finish(record, id, false);
      return undefined;
    }
    const slots = this.lookup(id, actualFrom, timeTo);
    if (slots === undefined) return this.joinFromStore(record, id, actualFrom, timeTo);
    let matched = false;
    for (const slot of slots) {
      for (const bytes of slot.values) {
        matched = true;
        this.emitPair(record, id, slot.ts, bytes);
      }
    }
    this.finish(record, id, matched);
    return undefined;
  }

  /** The other buffer's records of `id` in [from, to] from its index, or undefined if it cannot tell. */
  private lookup(id: string, from: number, to: number): BufferSlot[] | undefined {
    const index = this.tracker.index[this.other];
    if (index === undefined) return undefined;
    index.dropBefore(this.retainedFrom(this.other));
    return this.indexCovers(index, from) ? index.range(id, from, to) : undefined;
  }

  /** The slow path: the same lookup as a range read of the other buffer's store. */
  private async joinFromStore(record: StreamRecord<K, unknown>, id: string, from: number, to: number) {
    let matched = false;
    for await (const e of this.otherStore.fetchRange(record.key, from, to)) {
      for (const bytes of e.value) {
        matched = true;
        this.emitPair(record, id, e.windowStart, bytes);
      }
    }
    this.finish(record, id, matched);
  }

  private emitPair(record: StreamRecord<K, unknown>, id: string, otherTs: number, bytes: Buffer): void {
    this.waiting?.matched(otherTs, this.other, id);
    const otherValue = (this.spec.valueSerdes[this.other] as Serde<unknown>).deserialize(
      bytes,
      this.topics[this.other],
    );
    this.ctx.forward({
      ...record,
      value: this.joined(record.key, record.value, otherValue),
      timestamp: Math.max(record.timestamp, otherTs),
    });
  }

  /** After the lookup: an unmatched record of an outer side is emitted or waits; then it is buffered. */
  private finish(record: StreamRecord<K, unknown>, id: string, matched: boolean): void {
    const t = this.tracker;
    const { key, value, timestamp: ts } = record;
    if (this.spec.outer && !matched) {
      const timeTo = Math.max(0, ts + this.joinAfterMs);
      if (!this.waiting || timeTo < t.streamTime) {
        this.ctx.forward({ ...record, value: this.joined(key, value, undefined) });
      } else this.waiting.add(ts, this.spec.side, id, value);
    }
    this.buffer(key, id, value, ts);
  }

  /** Kafka Streams' KStreamJoinWindow: the record enters its side's buffer after it joined. */
  private buffer(key: K, id: string, value: unknown, ts: number): void {
    const t = this.tracker;
    const side = this.spec.side;
    if (ts > t.observed[side]) t.observed[side] = ts;
    const index = t.index[side];
    index?.dropBefore(this.retainedFrom(side));
    // Already beyond retention: the store would never return it (Kafka Streams drops it as expired).
    if (ts < this.retentionClock(side) - this.retentionMs + 1) return;
    const bytes = (this.spec.valueSerdes[side] as Serde<unknown>).serialize(value, this.topics[side]);
    if (bytes === null)
      throw new TributaryError(
        'SERDE_ERROR',
        `stream join ${this.spec.stores[side]}: value serialized to null`,
      );
    // Where the index is complete it knows the (key, ts) list; otherwise ask the store.
    const list =
      index !== undefined && this.indexCovers(index, ts)
        ? (index.slot(id, ts)?.values ?? [])
        : (this.thisStore.fetch(key, ts) ?? []);
    this.thisStore.put(key, [...list, bytes], ts);
    index?.append(id, ts, bytes);
  }

  /**
   * What a buffer's retention counts back from: Kafka Streams' window store uses the newest
   * timestamp put into it; under watermarks it is the watermark, so a buffer does not forget records
   * because another partition ran ahead.
   */
  private retentionClock(side: JoinSide): number {
    return this.ctx.eventTime === 'watermark' ? this.ctx.currentStreamTime() : this.tracker.observed[side];
  }

  /**
   * The oldest timestamp a lookup of `side` can still return: below the buffer's retention nothing
   * is returned, and rows older than the store's own retention behind stream time may be expired at
   * any commit, so the index leaves those to the store.
   */
  private retainedFrom(side: JoinSide): number {
    return Math.max(
      this.retentionClock(side) - this.retentionMs + 1,
      this.ctx.currentStreamTime() - this.spec.storeRetentionMs + 1,
    );
  }

  private indexCovers(index: JoinBufferIndex, from: number): boolean {
    return index.covers(from) && from > this.ctx.currentStreamTime() - this.spec.storeRetentionMs;
  }

  /** The key's serialized bytes as a string: the index's map key and the outer store's key part. */
  private keyId(key: K): string {
    return (this.spec.keySerde.serialize(key, undefined) ?? Buffer.alloc(0)).toString('latin1');
  }

  /**
   * Left/outer joins: Kafka Streams' emitNonJoinedOuterRecords, when due. Synchronous over the
   * in-memory copy of the outer store; a promise only when that copy was dropped (see WaitingRecords).
   */
  private emitPass(headers: StreamRecord<K, unknown>['headers']): Promise<void> | undefined {
    const waiting = this.waiting;
    if (!waiting?.startPass(this.ctx.currentSystemTime())) return undefined;
    return waiting.emitDue(headers, (r) => this.ctx.forward(r as StreamRecord<K, VOut>));
  }
}
