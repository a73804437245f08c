import { TributaryError } from '../errors.js';
import { CogroupTagProcessor, type Tagged } from '../internal/processors/cogroup-tag.js';
import { PassThroughProcessor } from '../internal/processors/stateless.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { addProcessor, requireName } from './dsl-context.js';
import { KGroupedStream } from './grouped-stream.js';
import { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import type { StoreOptions, WindowedStoreOptions } from './options.js';
import { SessionWindows } from './session-windows.js';
import type { WindowedKTable } from './windowed-stream.js';
import type { TimeWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;
type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;

interface CogroupInput<K, VA> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: Aggregator<K, unknown, VA>;
}

/**
 * Several grouped streams feeding one aggregate, as Kafka Streams' CogroupedKStream: each stream
 * brings its own aggregator, all share one initializer, one store and one result table. Each input
 * is repartitioned on its own if its key changed (`<app>-<name>-repartition`, then `<name>-<i>`).
 */
export class CogroupedKStream<K, VA> {
  constructor(private readonly inputs: readonly CogroupInput<K, VA>[]) {}

  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    if (this.inputs.some((i) => i.grouped === (grouped as KGroupedStream<K, unknown>))) {
      throw new TributaryError('TOPOLOGY_INVALID', 'cogroup: the same grouped stream is added twice');
    }
    return new CogroupedKStream([
      ...this.inputs,
      {
        grouped: grouped as KGroupedStream<K, unknown>,
        aggregator: aggregator as Aggregator<K, unknown, VA>,
      },
    ]);
  }

  aggregate(initializer: () => VA, opts: StoreOptions<VA>): KTable<K, VA> {
    return this.merged(opts.name, true).aggregate(initializer, this.dispatch(), opts);
  }

  windowedBy(windows: TimeWindows): TimeWindowedCogroupedKStream<K, VA>;
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VA>;
  windowedBy(
    windows: TimeWindows | SessionWindows,
  ): TimeWindowedCogroupedKStream<K, VA> | SessionWindowedCogroupedKStream<K, VA> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedKStream(this, windows);
    return new TimeWindowedCogroupedKStream(this, windows);
  }

  /** The aggregator to run on a tagged value: the one of the input it came from. */
  dispatch(): Aggregator<K, Tagged<unknown>, VA> {
    const aggregators = this.inputs.map((i) => i.aggregator);
    return (key, tagged, agg) =>
      (aggregators[tagged.input] as Aggregator<K, unknown, VA>)(key, tagged.value, agg);
  }

  /**
   * Every input, repartitioned if needed and tagged, merged into one grouped stream that needs no
   * further repartition. Windowed aggregates take null values (as Kafka Streams'), plain ones skip them.
   */
  merged(storeName: string, skipNullValues: boolean): KGroupedStream<K, Tagged<unknown>> {
    const name = requireName(storeName, 'cogroup aggregate');
    const first = this.inputs[0] as CogroupInput<K, VA>;
    const ctx = first.grouped.stream.ctx;
    const tagged = this.inputs.map(({ grouped }, i) => {
      const input = grouped.input(i === 0 ? name : `${name}-${i}`);
      return {
        input,
        node: addProcessor(
          ctx,
          { name: `${name}-cogroup-${i}`, prefix: 'cogroup', operator: 'cogroup-tag' },
          () => new CogroupTagProcessor(i, skipNullValues) as unknown as ReturnType<AnySupplier>,
          [input.shape.node],
        ),
      };
    });
    const node = addProcessor(
      ctx,
      { name: `${name}-cogroup-merge`, prefix: 'cogroupMerge', operator: 'merge' },
      () => new PassThroughProcessor(),
      tagged.map((t) => t.node),
    );
    // One aggregate per key across inputs: their topics must be co-partitioned, as for a join
    // (a repartition topic then takes the partition count of the others).
    const sourceNodes = tagged.flatMap((t) => t.input.shape.sourceNodes);
    ctx.graph.copartitionGroups.push(new Set(sourceNodes));
    const keySerde = first.grouped.keySerde ?? tagged[0]?.input.shape.keySerde;
    const stream = new KStream<K, Tagged<unknown>>(ctx, {
      node,
      keySerde,
      valueSerde: undefined,
      repartitionRequired: false,
      sourceNodes,
    });
    return new KGroupedStream(stream, keySerde, undefined);
  }
}

/** Unwraps late records of a windowed cogroup back to the value their stream sent. */
const untag = (v: unknown) => (v as Tagged<unknown>).value;

/** A cogrouped stream cut into time windows: one window store for every input. */
export class TimeWindowedCogroupedKStream<K, VA> {
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VA>,
    private readonly windows: TimeWindows,
  ) {}

  aggregate(initializer: () => VA, opts: WindowedStoreOptions<VA>): WindowedKTable<K, VA> {
    return this.cogrouped
      .merged(opts.name, false)
      .windowedBy(this.windows)
      .aggregate(initializer, this.cogrouped.dispatch(), opts)
      .withLateValues(untag);
  }
}

/** A cogrouped stream cut into session windows: sessions merge across inputs. */
export class SessionWindowedCogroupedKStream<K, VA> {
  constructor(
    private readonly cogrouped: CogroupedKStream<K, VA>,
    private readonly windows: SessionWindows,
  ) {}

  aggregate(
    initializer: () => VA,
    merger: (key: K, aggregate1: VA, aggregate2: VA) => VA,
    opts: WindowedStoreOptions<VA>,
  ): WindowedKTable<K, VA> {
    return this.cogrouped
      .merged(opts.name, false)
      .windowedBy(this.windows)
      .aggregate(initializer, this.cogrouped.dispatch(), merger, opts)
      .withLateValues(untag);
  }
}
