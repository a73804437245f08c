import type { Headers, StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValueStore } from '../../state/store.js';
import { JoinWaitingIndex } from './join-waiting-index.js';
import {
  type JoinSide,
  type JoinTimeTracker,
  outerKeyCodec,
  type StreamJoinWindowSpec,
} from './stream-join-tracker.js';

export interface WaitingSpec<K> {
  readonly windows: StreamJoinWindowSpec;
  /** This processor's `after` (its side's look-ahead): Kafka Streams checks due-ness with it. */
  readonly joinAfterMs: number;
  readonly keySerde: Serde<K>;
  readonly valueSerdes: Record<JoinSide, Serde<unknown>>;
  /** Renders an unmatched record of `side`. */
  readonly unmatched: (side: JoinSide, value: unknown, key: K) => unknown;
  readonly emitIntervalMs: number;
  readonly indexMaxBytes: number;
}

/**
 * The records of a left/outer join waiting for a partner in the shared outer store (one per
 * processor, over the task's one store and in-memory copy): adding one, removing a partner that
 * matched, and Kafka Streams' emission pass (emitNonJoinedOuterRecords). While the in-memory copy is
 * complete, all of it is synchronous; past its budget it is dropped and the store is read again,
 * asynchronously, with the same results.
 */
export class WaitingRecords<K> {
  constructor(
    private readonly store: KeyValueStore<Buffer, Buffer[]>,
    private readonly tracker: JoinTimeTracker,
    private readonly spec: WaitingSpec<K>,
  ) {}

  /** The first of the two processors to init copies the (restored) store into memory, if it fits. */
  async init(): Promise<void> {
    const t = this.tracker;
    if (t.waitingBuilt) return;
    t.waitingBuilt = true;
    const copy = new JoinWaitingIndex(this.spec.indexMaxBytes);
    for await (const e of this.store.all()) {
      copy.put(e.key.toString('latin1'), e.value);
      if (copy.overBudget) return;
    }
    t.waiting = copy;
  }

  /** A record without partner starts to wait (Kafka Streams' outer store put). */
  add(timestamp: number, side: JoinSide, keyId: string, value: unknown): void {
    const t = this.tracker;
    t.minTime = t.minTime === undefined ? timestamp : Math.min(t.minTime, timestamp);
    const k = outerKeyCodec.encode(timestamp, side, Buffer.from(keyId, 'latin1'));
    const bytes = this.spec.valueSerdes[side].serialize(value, undefined) as Buffer;
    const id = k.toString('latin1');
    const list = [...((t.waiting ? t.waiting.get(id) : this.store.get(k)) ?? []), bytes];
    this.store.put(k, list);
    if (!t.waiting) return;
    t.waiting.put(id, list);
    if (t.waiting.overBudget) t.waiting = undefined;
  }

  /** A buffered record found a partner: it no longer waits. */
  matched(timestamp: number, side: JoinSide, keyId: string): void {
    const k = outerKeyCodec.encode(timestamp, side, Buffer.from(keyId, 'latin1'));
    const waiting = this.tracker.waiting;
    if (waiting) {
      const id = k.toString('latin1');
      if (waiting.get(id) === undefined) return;
      waiting.delete(id);
      this.store.delete(k);
    } else if (this.store.get(k) !== undefined) this.store.delete(k);
  }

  /**
   * The first half of Kafka Streams' emitNonJoinedOuterRecords, condition for condition: false while
   * nothing can be due or within the emit interval (wall clock) of the last pass; else the pass
   * starts. `now` is the wall clock.
   */
  startPass(now: number): boolean {
    const t = this.tracker;
    const grace = this.spec.windows.graceMs;
    // Long.MAX_VALUE + after + grace overflows in Kafka Streams when after + grace > 0: it proceeds.
    const mayBeDue =
      t.minTime === undefined
        ? this.spec.joinAfterMs + grace > 0
        : t.minTime + this.spec.joinAfterMs + grace < t.streamTime;
    if (!mayBeDue) return false;
    if (now < t.nextTimeToEmit) return false;
    t.nextTimeToEmit = now + this.spec.emitIntervalMs;
    t.minTime = undefined;
    return true;
  }

  /**
   * The pass: forwards waiting records whose window (ts + look-back + grace) is behind stream time,
   * oldest first, and deletes them. Synchronous (undefined) over the in-memory copy.
   */
  emitDue(headers: Headers, forward: (r: StreamRecord<K, unknown>) => void): Promise<void> | undefined {
    const waiting = this.tracker.waiting;
    if (!waiting) return this.emitDueFromStore(headers, forward);
    const open: Record<JoinSide, boolean> = { left: false, right: false };
    const due: string[] = [];
    for (const [id, values] of waiting.scan()) {
      const seen = this.visit(Buffer.from(id, 'latin1'), values, open, headers, forward);
      if (seen === 'stop') break;
      if (seen === 'due') due.push(id);
    }
    for (const id of due) {
      if (waiting.get(id) === undefined) continue;
      waiting.delete(id);
      this.store.delete(Buffer.from(id, 'latin1'));
    }
    return undefined;
  }

  private async emitDueFromStore(headers: Headers, forward: (r: StreamRecord<K, unknown>) => void) {
    const open: Record<JoinSide, boolean> = { left: false, right: false };
    const due: Buffer[] = [];
    for await (const entry of this.store.all()) {
      const seen = this.visit(entry.key, entry.value, open, headers, forward);
      if (seen === 'stop') break;
      if (seen === 'due') due.push(entry.key);
    }
    for (const k of due) this.store.delete(k);
  }

  /**
   * One entry of the pass: 'stop' once both sides reached a record still open; a due entry is
   * forwarded here; an open one marks its side.
   */
  private visit(
    storeKey: Buffer,
    values: readonly Buffer[],
    open: Record<JoinSide, boolean>,
    headers: Headers,
    forward: (r: StreamRecord<K, unknown>) => void,
  ): 'stop' | 'open' | 'due' {
    const t = this.tracker;
    const { timestamp, side, key } = outerKeyCodec.decode(storeKey);
    t.minTime = timestamp;
    if (open.left && open.right) return 'stop';
    const lookBack = side === 'left' ? this.spec.windows.afterMs : this.spec.windows.beforeMs;
    if (timestamp + lookBack + this.spec.windows.graceMs >= t.streamTime) {
      open[side] = true;
      return 'open';
    }
    const k = this.spec.keySerde.deserialize(Buffer.from(key), undefined);
    const serde = this.spec.valueSerdes[side];
    for (const bytes of values) {
      const v = serde.deserialize(Buffer.from(bytes), undefined);
      forward({ key: k, value: this.spec.unmatched(side, v, k), timestamp, headers });
    }
    return 'due';
  }
}
