/**
 * What every windowed aggregation processor (time, session, sliding windows) gets from the DSL
 * besides its window math and aggregate functions.
 */
export interface WindowedProcessorSpec {
  readonly storeName: string;
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
