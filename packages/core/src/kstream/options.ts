import type { TimestampExtractor } from '../record.js';
import type { Serde } from '../serde/serde.js';

export interface ConsumedOptions<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor<K, V>;
  /** Node name in describe(); generated when absent. */
  name?: string;
}

export interface TableOptions<K, V> extends ConsumedOptions<K, V> {
  /** Store name (durable: it names the changelog topic). */
  name: string;
}

export interface ProducedOptions<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  name?: string;
}

export interface NamedOptions {
  name?: string;
}

export interface GroupedOptions<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface RepartitionOptions<K, V> {
  /** Names the topic `<applicationId>-<name>-repartition`. */
  name: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Defaults to the largest partition count of the upstream source topics. */
  numberOfPartitions?: number;
}

export interface StoreOptions<VA> {
  /** Store name (durable: it names the changelog and any repartition topic). */
  name: string;
  valueSerde?: Serde<VA>;
  /** Back the store with a changelog topic. Default true. */
  logging?: boolean;
  caching?: boolean;
}

export interface WindowedStoreOptions<VA> extends StoreOptions<VA> {
  /**
   * 'final' (default): one result per window when stream time passes end + grace
   * (Kafka Streams' emitStrategy(onWindowClose)). 'update': every change, as Kafka Streams' default.
   */
  emit?: 'final' | 'update';
  /**
   * Close every open window after this much wall-clock time without a new record on the task, so the
   * last windows of a stream that went quiet are still emitted.
   */
  idleTimeoutMs?: number;
}

/** Options of a session-windowed aggregation. */
export interface SessionStoreOptions<VA> extends WindowedStoreOptions<VA> {
  /**
   * How long the store keeps a session after its end, measured from the latest session end stored
   * (Kafka Streams' `Materialized.withRetention`). Default and minimum: gap + grace. Raise it when
   * records of one key arrive out of order by more than that, e.g. behind a repartition topic under
   * watermarks: a session older than the retention is no longer found, so a record that belongs to
   * it opens a new one.
   */
  retentionMs?: number;
}
