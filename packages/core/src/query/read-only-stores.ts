import type { KeyValue } from '../record.js';
import type { SessionEntry, WindowedEntry } from '../state/store.js';

/** What `app.store(name, { type })` hands out: the read half of a store, as Kafka Streams' ReadOnly*Store. */
export type QueryableStoreType = 'key-value' | 'window' | 'session';

export interface ReadOnlyKeyValueStore<K, V> {
  /** The key's value, read from the task that hosts the key's partition on this instance. */
  get(key: K): V | undefined;
  /** Entries with from <= key <= to (serialized-key order) over every task of this instance. */
  range(from: K, to: K): AsyncIterable<KeyValue<K, V>>;
  /** Every entry over every task of this instance. */
  all(): AsyncIterable<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of the window of `key` that starts at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** Windows of `key` with timeFrom <= windowStart <= timeTo, in window-start order. */
  fetch(key: K, timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>>;
  /** Windows of every key with timeFrom <= windowStart <= timeTo, over every task of this instance. */
  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>>;
  all(): AsyncIterable<WindowedEntry<K, V>>;
}

export interface ReadOnlySessionStore<K, V> {
  /** Every session of `key`. */
  fetch(key: K): AsyncIterable<SessionEntry<K, V>>;
  /** Sessions of `key` with end >= earliestSessionEnd and start <= latestSessionStart. */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): AsyncIterable<SessionEntry<K, V>>;
}

export type ReadOnlyStoreOf<T extends QueryableStoreType, K, V> = T extends 'key-value'
  ? ReadOnlyKeyValueStore<K, V>
  : T extends 'window'
    ? ReadOnlyWindowStore<K, V>
    : ReadOnlySessionStore<K, V>;

/** An instance of the application, as its heartbeats on `<applicationId>-instances` describe it. */
export interface InstanceInfo {
  /** `host:port` of its query server (Kafka Streams' application.server). */
  readonly applicationServer: string;
  readonly state: string;
  /** Tasks it runs (restored and processing), e.g. `0_3`. */
  readonly tasks: readonly string[];
  /** Tasks assigned to it that are still restoring. */
  readonly restoring: readonly string[];
  /** When it sent this (its clock, epoch ms). */
  readonly at: number;
}

/** Where a key lives, as Kafka Streams' KeyQueryMetadata. */
export interface KeyQueryMetadata {
  readonly store: string;
  /** The partition the default partitioner (murmur2 of the serialized key) maps the key to. */
  readonly partition: number;
  readonly taskId: string;
  /** `host:port` of the instance that runs the task, when one is known; undefined otherwise. */
  readonly activeHost: string | undefined;
  /** True when this instance runs the task (the key can be read here). */
  readonly local: boolean;
}
