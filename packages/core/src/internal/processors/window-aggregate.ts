import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore, TimestampedWindowStore } from '../../state/store.js';
import type { Windowed } from '../../windowed.js';
import { changelogTopicName } from '../names.js';
import { IdleClose } from './idle-close.js';
import { OpenWindows, sortInStoreOrder } from './open-windows.js';
import { OperatorClock } from './operator-clock.js';
import { countSkipped, isNullish } from './skipped-records.js';
import type { AggregateFunctions, WindowedProcessorSpec } from './windowed-spec.js';

/**
 * The window math the processor needs. The DSL's `TimeWindows` implements it; the processor sees only
 * this, so internal/ does not depend on kstream/.
 */
export interface WindowAssigner {
  readonly sizeMs: number;
  readonly graceMs: number;
  /** Start of every window containing `timestamp`, oldest first. */
  windowStartsFor(timestamp: number): number[];
}

/** The store (`storeName`) is a timestamped window store: each window's value and its largest record timestamp. */
export interface WindowAggregateSpec<K, V, VA> extends WindowedProcessorSpec, AggregateFunctions<K, V, VA> {
  readonly windows: WindowAssigner;
}

const STREAM_TIME = 'streamTime';
const CLOSED_THROUGH = 'closedThrough';

/**
 * Windowed aggregation on event time. A window [start, end) accepts records while
 * stream time < end + grace; with emit 'final' its result is forwarded once, when stream time reaches
 * end + grace (or on idle close), and the window is then removed from the store.
 *
 * As in Kafka Streams: a record with a null key is skipped (counted); a null value is aggregated
 * like any other. Every result, update or final, is stamped with the largest record timestamp seen
 * in its window, which the store keeps next to the aggregate; windows closing together are emitted
 * in store order (end, then key bytes).
 */
export class WindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private ctx!: ProcessorContext<unknown, unknown>;
  private store!: TimestampedWindowStore<K, VA>;
  private changelog = '';
  private meta!: KeyValueStore<string, number>;
  private clock!: OperatorClock;
  /** Windows ending at or before this were closed by an idle timeout. */
  private closedThrough = Number.NEGATIVE_INFINITY;
  private readonly open = new OpenWindows<K>();
  private idle!: IdleClose;

  constructor(private readonly spec: WindowAggregateSpec<K, V, VA>) {}

  async init(ctx: ProcessorContext<unknown, unknown>): Promise<void> {
    this.ctx = ctx;
    this.store = ctx.getStateStore<TimestampedWindowStore<K, VA>>(this.spec.storeName);
    this.changelog = changelogTopicName(ctx.applicationId, this.spec.storeName);
    this.meta = ctx.getStateStore<KeyValueStore<string, number>>(this.spec.metaStoreName);
    this.clock = new OperatorClock(ctx, this.meta, STREAM_TIME);
    if (this.spec.emit === 'final') this.clock.onAdvance(() => this.emitClosed(this.closeTime()));
    this.closedThrough = this.meta.get(CLOSED_THROUGH) ?? Number.NEGATIVE_INFINITY;
    if (this.spec.emit === 'final') {
      // Rebuild the close index from restored state: every window still in the store is open.
      for await (const e of this.store.all())
        this.open.add(e.key, e.windowStart, e.windowStart + this.spec.windows.sizeMs);
    }
    this.idle = new IdleClose(ctx, this.spec.idleTimeoutMs, this.open, () => this.closeIdle());
  }

  private closeTime(): number {
    return Math.max(this.clock.time - this.spec.windows.graceMs, this.closedThrough);
  }

  process(record: StreamRecord<K, V>): void {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    this.idle.touch();
    this.clock.advance(record.timestamp);
    const closeTime = this.closeTime();
    const { sizeMs } = this.spec.windows;
    let late = false;
    for (const start of this.spec.windows.windowStartsFor(record.timestamp)) {
      const end = start + sizeMs;
      if (end <= closeTime) {
        late = true;
        continue;
      }
      const old = this.store.fetchWithTimestamp(record.key, start);
      const agg = this.spec.aggregator(
        record.key,
        record.value,
        old === undefined ? this.spec.initializer() : old.value,
      );
      const ts = old === undefined ? record.timestamp : Math.max(old.timestamp, record.timestamp);
      this.store.putWithTimestamp(record.key, agg, start, ts);
      if (this.spec.emit === 'update') {
        this.forwardResult(record.key, start, agg, old?.value, ts);
      } else {
        this.open.add(record.key, start, end);
      }
    }
    if (late) this.ctx.forward(record, this.spec.lateChild);
    if (this.spec.emit === 'final') this.emitClosed(closeTime);
  }

  private forwardResult(key: K, start: number, value: VA, old: VA | undefined, timestamp: number): void {
    const windowed: Windowed<K> = { key, window: { start, end: start + this.spec.windows.sizeMs } };
    this.ctx.forward(
      { key: windowed, value: change(value, old), timestamp, headers: {} },
      this.spec.resultChild,
    );
  }

  private emitClosed(closeTime: number): void {
    const closed = [...this.open.popEndingAtOrBefore(closeTime)];
    sortInStoreOrder(closed, this.spec.keySerde, this.changelog);
    for (const w of closed) {
      const stored = this.store.fetchWithTimestamp(w.key, w.start);
      if (stored === undefined) continue;
      this.forwardResult(w.key, w.start, stored.value, undefined, stored.timestamp);
      this.store.put(w.key, undefined, w.start);
    }
  }

  /** Idle close: every open window closes now. */
  private closeIdle(): void {
    this.closedThrough = Math.max(this.closedThrough, this.open.maxEnd());
    this.meta.put(CLOSED_THROUGH, this.closedThrough);
    this.emitClosed(this.closedThrough);
  }
}
