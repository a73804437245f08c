import { SlidingAggregateProcessor } from '../internal/processors/sliding-aggregate.js';
import { type StampedAggregate, stampedAggregateSerde } from '../internal/processors/stamped-aggregate.js';
import type { Serde } from '../serde/serde.js';
import type { WindowStore } from '../state/store.js';
import { requireName } from './dsl-context.js';
import type { KGroupedStream } from './grouped-stream.js';
import { internalSerde } from './internal-serdes.js';
import type { WindowedStoreOptions } from './options.js';
import type { SlidingWindows } from './sliding-windows.js';
import { WindowedAggregations } from './windowed-aggregations.js';
import { addWindowedAggregate, type WindowedKTable } from './windowed-stream.js';

/**
 * A grouped stream cut into sliding windows, as Kafka Streams' `windowedBy(SlidingWindows)`. Results
 * are keyed by `Windowed<K>` with window [start, end], both inclusive, end = start + time difference.
 * Records with a null key or a null value are skipped, as in Kafka Streams. Emission follows `emit`
 * ('final' by default).
 */
export class SlidingWindowedKStream<K, V> extends WindowedAggregations<K, V> {
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SlidingWindows,
  ) {
    super();
  }

  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    opts: WindowedStoreOptions<VA>,
  ): WindowedKTable<K, VA> {
    const { timeDifferenceMs, graceMs } = this.windows;
    const inner = opts.valueSerde ?? internalSerde<VA>();
    return addWindowedAggregate(
      this.grouped,
      requireName(opts.name, 'sliding-window aggregate'),
      opts,
      {
        kind: 'window',
        windowSizeMs: timeDifferenceMs,
        retentionMs: this.windows.retentionMs(),
        // The store keeps each window's largest record timestamp next to its aggregate.
        valueSerde: stampedAggregateSerde(inner) as Serde<unknown>,
      },
      graceMs,
      { prefix: 'slidingAggregate', operator: 'sliding-aggregate', suffix: 'sliding-aggregate' },
      (spec) =>
        new SlidingAggregateProcessor<K, V, VA>({
          ...spec,
          timeDifferenceMs,
          graceMs,
          initializer,
          aggregator,
        }),
      (store) => (pctx) => {
        const ws = pctx.getStateStore<WindowStore<K, StampedAggregate<VA>>>(store);
        return (w) => ws.fetch(w.key, w.window.start)?.value;
      },
    );
  }
}
