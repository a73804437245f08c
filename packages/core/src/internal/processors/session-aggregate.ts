import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore, SessionStore } from '../../state/store.js';
import type { Windowed } from '../../windowed.js';
import { changelogTopicName } from '../names.js';
import { IdleClose } from './idle-close.js';
import { OpenWindows, sortInStoreOrder } from './open-windows.js';
import { OperatorClock } from './operator-clock.js';
import { countSkipped, isNullish } from './skipped-records.js';
import type { AggregateFunctions, WindowedProcessorSpec } from './windowed-spec.js';

export interface SessionAggregateSpec<K, V, VA> extends WindowedProcessorSpec, AggregateFunctions<K, V, VA> {
  readonly inactivityGapMs: number;
  readonly graceMs: number;
  readonly merger: (key: K, aggregate1: VA, aggregate2: VA) => VA;
}

const STREAM_TIME = 'streamTime';
/** Sessions ending before this have been emitted (emit 'final'); as Kafka Streams' lastEmitWindowCloseTime. */
const EMITTED_BEFORE = 'emittedBefore';

/**
 * Session-window aggregation, as Kafka Streams' KStreamSessionWindowAggregate: a record at t merges
 * every session of its key with end >= t - gap and start <= t + gap into one. The merged session is
 * late when its end < stream time - grace - gap. With emit 'update' every merged-away session is
 * forwarded as a tombstone and the merged session as an update (stamped with session ends); with
 * 'final' a session is forwarded once, when its end falls below that close time.
 */
export class SessionAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private ctx!: ProcessorContext<unknown, unknown>;
  private store!: SessionStore<K, VA>;
  private changelog = '';
  private meta!: KeyValueStore<string, number>;
  private clock!: OperatorClock;
  private emittedBefore = Number.NEGATIVE_INFINITY;
  /** Sessions put since the last emit (may have been merged away since: checked on emit). */
  private readonly open = new OpenWindows<K>();
  private idle!: IdleClose;

  constructor(private readonly spec: SessionAggregateSpec<K, V, VA>) {}

  async init(ctx: ProcessorContext<unknown, unknown>): Promise<void> {
    this.ctx = ctx;
    this.store = ctx.getStateStore<SessionStore<K, VA>>(this.spec.storeName);
    this.changelog = changelogTopicName(ctx.applicationId, this.spec.storeName);
    this.meta = ctx.getStateStore<KeyValueStore<string, number>>(this.spec.metaStoreName);
    this.clock = new OperatorClock(ctx, this.meta, STREAM_TIME);
    if (this.spec.emit === 'final') this.clock.onAdvance(() => this.emitClosed(this.closeTime()));
    this.emittedBefore = this.meta.get(EMITTED_BEFORE) ?? Number.NEGATIVE_INFINITY;
    if (this.spec.emit === 'final') {
      for await (const s of this.store.all())
        if (s.end >= this.emittedBefore) this.open.add(s.key, s.start, s.end);
    }
    this.idle = new IdleClose(ctx, this.spec.idleTimeoutMs, this.open, () => this.closeIdle());
  }

  /** Sessions ending before this are closed. */
  private closeTime(): number {
    return Math.max(this.clock.time - this.spec.graceMs - this.spec.inactivityGapMs, this.emittedBefore);
  }

  async process(record: StreamRecord<K, V>): Promise<void> {
    const { key, timestamp: ts } = record;
    if (isNullish(key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    this.idle.touch();
    this.clock.advance(ts);
    const gap = this.spec.inactivityGapMs;
    let start = ts;
    let end = ts;
    let agg = this.spec.initializer();
    const merged: { start: number; end: number; value: VA }[] = [];
    for await (const s of this.store.findSessions(key, ts - gap, ts + gap)) {
      merged.push(s);
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
      agg = this.spec.merger(key, agg, s.value);
    }
    const closeTime = this.closeTime();
    if (end < closeTime) {
      this.ctx.forward(record, this.spec.lateChild);
      return;
    }
    if (start !== ts || end !== ts) {
      for (const s of merged) {
        this.store.remove(key, s.start, s.end);
        if (this.spec.emit === 'update') this.forward(key, s.start, s.end, undefined, s.value);
      }
    }
    agg = this.spec.aggregator(key, record.value, agg);
    this.store.put(key, start, end, agg);
    if (this.spec.emit === 'update') this.forward(key, start, end, agg, undefined);
    else {
      this.open.add(key, start, end);
      this.emitClosed(closeTime);
    }
  }

  private forward(key: K, start: number, end: number, value: VA | undefined, old: VA | undefined): void {
    const windowed: Windowed<K> = { key, window: { start, end } };
    this.ctx.forward(
      { key: windowed, value: change(value, old), timestamp: end, headers: {} },
      this.spec.resultChild,
    );
  }

  /** Forwards every session ending before closeTime once, ordered by end, then key bytes, then start. */
  private emitClosed(closeTime: number): void {
    if (closeTime <= this.emittedBefore) return;
    const closed = [...this.open.popEndingAtOrBefore(closeTime - 1)];
    sortInStoreOrder(closed, this.spec.keySerde, this.changelog);
    for (const s of closed) {
      const value = this.store.fetchSession(s.key, s.start, s.end);
      if (value !== undefined) this.forward(s.key, s.start, s.end, value, undefined);
    }
    this.emittedBefore = closeTime;
    this.meta.put(EMITTED_BEFORE, closeTime);
  }

  /** Idle close: every open window closes now. */
  private closeIdle(): void {
    this.emitClosed(this.open.maxEnd() + 1);
  }
}
