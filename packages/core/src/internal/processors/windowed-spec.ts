/**
 * What every windowed aggregation processor (time, session, sliding windows) gets from the DSL
 * besides its window math and aggregate functions.
 */
import type { Serde } from '../../serde/serde.js';

export interface WindowedProcessorSpec {
  readonly storeName: string;
  /** The store's key serde: windows closing together are emitted in key-byte order, as Kafka Streams. */
  readonly keySerde: Serde<unknown>;
  /** KV store holding stream time and the close or emit watermark, so a restarted task keeps them. */
  readonly metaStoreName: string;
  readonly emit: 'final' | 'update';
  readonly idleTimeoutMs: number | undefined;
  /** Child that receives records too late for their window (the late side output). */
  readonly lateChild: string;
  readonly resultChild: string;
}

/** The aggregate functions of a windowed aggregation that needs no merger. */
export interface AggregateFunctions<K, V, VA> {
  readonly initializer: () => VA;
  readonly aggregator: (key: K, value: V, aggregate: VA) => VA;
}
