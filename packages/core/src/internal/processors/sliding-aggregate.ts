import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore, WindowedEntry, WindowStore } from '../../state/store.js';
import type { Windowed } from '../../windowed.js';
import { IdleClose } from './idle-close.js';
import { compareKeys, OpenWindows } from './open-windows.js';
import { OperatorClock } from './operator-clock.js';
import { countSkipped, isNullish } from './skipped-records.js';
import type { StampedAggregate } from './stamped-aggregate.js';
import type { AggregateFunctions, WindowedProcessorSpec } from './windowed-spec.js';

export interface SlidingAggregateSpec<K, V, VA> extends WindowedProcessorSpec, AggregateFunctions<K, V, VA> {
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
}

const STREAM_TIME = 'streamTime';
/** Windows ending before this have been emitted (emit 'final'); as Kafka Streams' lastEmitWindowCloseTime. */
const EMITTED_BEFORE = 'emittedBefore';

type Stamped<VA> = StampedAggregate<VA>;
interface Input<K, V> {
  readonly key: K;
  readonly value: V;
  readonly ts: number;
}

/**
 * Sliding-window aggregation, as Kafka Streams' KStreamSlidingWindowAggregate (KIP-450). Windows are
 * [start, start + diff], both inclusive, and exist only where records are: a record at t gets its left
 * window [t - diff, t] (seeded with the aggregate of the records already in that range) and, when
 * later records lie within diff, its right window [t + 1, t + 1 + diff]; it is added to every existing
 * window it falls into, and creates the right window of the record before it if that one is missing.
 * A window accepts records while its end >= stream time - grace; a record whose windows all closed is
 * dropped. Either way it goes to the late output. Results carry the window's largest record timestamp.
 */
export class SlidingAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private ctx!: ProcessorContext<unknown, unknown>;
  private store!: WindowStore<K, Stamped<VA>>;
  private meta!: KeyValueStore<string, number>;
  private clock!: OperatorClock;
  private emittedBefore = Number.NEGATIVE_INFINITY;
  /** Windows not yet emitted (emit 'final'). */
  private readonly open = new OpenWindows<K>();
  private idle!: IdleClose;
  /** Whether one of the current record's windows had already closed. */
  private missedWindow = false;

  constructor(private readonly spec: SlidingAggregateSpec<K, V, VA>) {}

  async init(ctx: ProcessorContext<unknown, unknown>): Promise<void> {
    this.ctx = ctx;
    this.store = ctx.getStateStore<WindowStore<K, Stamped<VA>>>(this.spec.storeName);
    this.meta = ctx.getStateStore<KeyValueStore<string, number>>(this.spec.metaStoreName);
    this.clock = new OperatorClock(ctx, this.meta, STREAM_TIME);
    if (this.spec.emit === 'final') this.clock.onAdvance(() => this.emitClosed(this.closeTime()));
    this.emittedBefore = this.meta.get(EMITTED_BEFORE) ?? Number.NEGATIVE_INFINITY;
    if (this.spec.emit === 'final') {
      // Emitted windows stay in the store (later records read them); only the rest is still open.
      const diff = this.spec.timeDifferenceMs;
      for await (const e of this.store.all())
        if (e.windowStart + diff >= this.emittedBefore)
          this.open.add(e.key, e.windowStart, e.windowStart + diff);
    }
    this.idle = new IdleClose(ctx, this.spec.idleTimeoutMs, this.open, () => this.closeIdle());
  }

  /** Moves the operator's clock for a record at `ts`; returns the close time. */
  private observe(ts: number): number {
    this.clock.advance(ts);
    return this.closeTime();
  }

  /** Windows ending before this are closed. */
  private closeTime(): number {
    return Math.max(this.clock.time - this.spec.graceMs, this.emittedBefore);
  }

  async process(record: StreamRecord<K, V>): Promise<void> {
    const { key, value, timestamp: ts } = record;
    if (isNullish(key) || isNullish(value)) {
      countSkipped(this.ctx, isNullish(key) ? 'nullKey' : 'nullValue');
      return;
    }
    this.idle.touch();
    const closeTime = this.observe(ts);
    if (ts + this.spec.timeDifferenceMs < closeTime) {
      this.ctx.forward(record, this.spec.lateChild);
      return;
    }
    this.missedWindow = false;
    const input: Input<K, V> = { key, value, ts };
    if (ts < this.spec.timeDifferenceMs) await this.aggregateEarly(input, closeTime);
    else await this.aggregate(input, closeTime);
    if (this.missedWindow) this.ctx.forward(record, this.spec.lateChild);
    if (this.spec.emit === 'final') this.emitClosed(closeTime);
  }

  /** The windows of `key` starting in [from, to], in start order. */
  private async windows(key: K, from: number, to: number): Promise<WindowedEntry<K, Stamped<VA>>[]> {
    const found: WindowedEntry<K, Stamped<VA>>[] = [];
    for await (const e of this.store.fetchRange(key, from, to)) found.push(e);
    return found;
  }

  private async aggregate(input: Input<K, V>, closeTime: number): Promise<void> {
    const { key, ts } = input;
    const diff = this.spec.timeDifferenceMs;
    // Back to ts - 2 * diff: the window before the left window tells what the left window holds.
    const found = await this.windows(key, Math.max(0, ts - 2 * diff), ts + 1);
    const starts = new Set<number>();
    let leftSeed: Stamped<VA> | undefined;
    let rightSeed: Stamped<VA> | undefined;
    let leftExists = false;
    let rightExists = false;
    let previous: number | undefined;
    // Newest first, as Kafka Streams' reverse scan: the first window past t holds the right window's records.
    for (let i = found.length - 1; i >= 0; i--) {
      const { windowStart: start, value: w } = found[i] as WindowedEntry<K, Stamped<VA>>;
      starts.add(start);
      const end = start + diff;
      if (start === ts + 1) {
        rightExists = true;
      } else if (end > ts) {
        rightSeed ??= w;
        this.update(input, start, w, true, closeTime);
      } else if (end === ts) {
        leftExists = true;
        this.update(input, start, w, true, closeTime);
        // A window ending at t that already holds a record at t: every window this record needs exists.
        if (w.maxTimestamp >= ts) return;
        previous = w.maxTimestamp;
      } else {
        leftSeed = w;
        previous = w.maxTimestamp;
        break;
      }
    }
    if (previous !== undefined && !starts.has(previous + 1) && previous + 1 + diff >= ts) {
      this.update(input, previous + 1, this.empty(ts), false, closeTime);
    }
    if (!leftExists) {
      const holdsPrevious = leftSeed !== undefined && previous !== undefined && ts - diff <= previous;
      const seed = holdsPrevious
        ? { value: (leftSeed as Stamped<VA>).value, maxTimestamp: ts }
        : this.empty(ts);
      this.update(input, ts - diff, seed, false, closeTime);
    }
    if (!rightExists && rightSeed !== undefined && rightSeed.maxTimestamp > ts)
      this.putRight(key, ts, rightSeed);
  }

  /**
   * A record before the first time difference (t < diff): its left window would start before 0, so,
   * as Kafka Streams, every such record goes into the one window [0, diff] instead.
   */
  private async aggregateEarly(input: Input<K, V>, closeTime: number): Promise<void> {
    const { key, ts } = input;
    let combined: Stamped<VA> | undefined;
    let rightSeed: Stamped<VA> | undefined;
    let rightExists = false;
    let previous: number | undefined;
    const starts = new Set<number>();
    for (const { windowStart: start, value: w } of await this.windows(key, 0, ts + 1)) {
      starts.add(start);
      if (start === 0) {
        combined = w;
        if (w.maxTimestamp < ts) previous = w.maxTimestamp;
      } else if (start <= ts) {
        rightSeed = w;
        this.update(input, start, w, true, closeTime);
      } else {
        rightExists = true;
      }
    }
    // With no window in (0, t], [0, diff] holds only records after t if it holds any after t.
    if (rightSeed === undefined && combined !== undefined && combined.maxTimestamp > ts) rightSeed = combined;
    if (!rightExists && rightSeed !== undefined && rightSeed.maxTimestamp > ts)
      this.putRight(key, ts, rightSeed);
    if (previous !== undefined && !starts.has(previous + 1)) {
      this.update(input, previous + 1, this.empty(ts), false, closeTime);
    }
    this.update(input, 0, combined ?? this.empty(ts), combined !== undefined, closeTime);
  }

  private empty(ts: number): Stamped<VA> {
    return { value: this.spec.initializer(), maxTimestamp: ts };
  }

  /** Adds the record to the window at `start` (from `base`), unless the window has closed. */
  private update(
    input: Input<K, V>,
    start: number,
    base: Stamped<VA>,
    existed: boolean,
    closeTime: number,
  ): void {
    if (start + this.spec.timeDifferenceMs < closeTime) {
      this.missedWindow = true;
      return;
    }
    const value = this.spec.aggregator(input.key, input.value, base.value);
    const next = { value, maxTimestamp: Math.max(input.ts, base.maxTimestamp) };
    this.store.put(input.key, next, start);
    this.changed(input.key, start, next, existed ? base.value : undefined);
  }

  /** The record's right window holds exactly the later records of `seed`'s window: a copy, stamped the same. */
  private putRight(key: K, ts: number, seed: Stamped<VA>): void {
    this.store.put(key, seed, ts + 1);
    this.changed(key, ts + 1, seed, undefined);
  }

  private changed(key: K, start: number, stamped: Stamped<VA>, old: VA | undefined): void {
    if (this.spec.emit === 'update') this.forward(key, start, stamped, old);
    else this.open.add(key, start, start + this.spec.timeDifferenceMs);
  }

  private forward(key: K, start: number, stamped: Stamped<VA>, old: VA | undefined): void {
    const windowed: Windowed<K> = { key, window: { start, end: start + this.spec.timeDifferenceMs } };
    this.ctx.forward(
      { key: windowed, value: change(stamped.value, old), timestamp: stamped.maxTimestamp, headers: {} },
      this.spec.resultChild,
    );
  }

  /** Forwards every open window ending before closeTime once, ordered by start, then key. */
  private emitClosed(closeTime: number): void {
    if (closeTime <= this.emittedBefore) return;
    const closed = [...this.open.popEndingAtOrBefore(closeTime - 1)];
    closed.sort((a, b) => a.start - b.start || compareKeys(a.key, b.key));
    for (const w of closed) {
      const stamped = this.store.fetch(w.key, w.start);
      if (stamped !== undefined) this.forward(w.key, w.start, stamped, undefined);
    }
    this.emittedBefore = closeTime;
    this.meta.put(EMITTED_BEFORE, closeTime);
  }

  /** Idle close: every open window closes now. */
  private closeIdle(): void {
    this.emitClosed(this.open.maxEnd() + 1);
  }
}
