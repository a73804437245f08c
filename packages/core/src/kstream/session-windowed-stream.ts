import { TributaryError } from '../errors.js';
import { SessionAggregateProcessor } from '../internal/processors/session-aggregate.js';
import type { SessionStore } from '../state/store.js';
import { requireName } from './dsl-context.js';
import type { KGroupedStream } from './grouped-stream.js';
import type { SessionStoreOptions } from './options.js';
import type { SessionWindows } from './session-windows.js';
import { addWindowedAggregate, type WindowedKTable } from './windowed-stream.js';

/**
 * A grouped stream cut into session windows, as Kafka Streams' SessionWindowedKStream. Results are
 * keyed by `Windowed<K>` whose window is the session: start = first record, end = last record
 * (inclusive). Emission follows `emit` as for time windows ('final' by default).
 */
export class SessionWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  /** `merger` combines the aggregates of sessions a record joins into one. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    opts: SessionStoreOptions<VA>,
  ): WindowedKTable<K, VA> {
    const { inactivityGapMs, graceMs } = this.windows;
    const name = requireName(opts.name, 'session aggregate');
    return addWindowedAggregate(
      this.grouped,
      name,
      opts,
      { kind: 'session', retentionMs: this.retention(name, opts.retentionMs) },
      inactivityGapMs + graceMs,
      { prefix: 'sessionAggregate', operator: 'session-aggregate', suffix: 'session-aggregate' },
      (spec) =>
        new SessionAggregateProcessor<K, V, VA>({
          ...spec,
          inactivityGapMs,
          graceMs,
          initializer,
          aggregator,
          merger,
        }),
      (store) => (pctx) => {
        const ss = pctx.getStateStore<SessionStore<K, VA>>(store);
        return (w) => ss.fetchSession(w.key, w.window.start, w.window.end);
      },
    );
  }

  private retention(name: string, retentionMs: number | undefined): number {
    const min = this.windows.retentionMs();
    if (retentionMs === undefined) return min;
    if (!Number.isSafeInteger(retentionMs) || retentionMs < min) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `session aggregate "${name}": retentionMs must be an integer >= gap + grace (${min}), got ${retentionMs}`,
      );
    }
    return retentionMs;
  }

  /** Counts records, null values included (as Kafka Streams). */
  count(opts: SessionStoreOptions<number>): WindowedKTable<K, number> {
    return this.aggregate(
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
      opts,
    );
  }

  /** The first value of a session is its aggregate; later values (null included) go to `reducer`. */
  reduce(reducer: (aggregate: V, value: V) => V, opts: SessionStoreOptions<V>): WindowedKTable<K, V> {
    const combine = (agg: V | undefined, v: V): V => (agg === undefined ? v : reducer(agg, v));
    return this.aggregate<V>(
      () => undefined as V,
      (_k, v, agg) => combine(agg, v),
      (_k, a, b) => combine(a, b),
      opts,
    );
  }
}
