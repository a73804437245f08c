import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';

/**
 * Store contracts. Processors see typed stores whose point reads and writes are synchronous: writes
 * land in a per-task cache and reach the backend and the changelog in one batch at commit, reads are
 * served by the cache or a synchronous backend read. Scans are async iterables.
 */
export interface StateStore {
  readonly name: string;
}

export interface KeyValueStore<K, V> extends StateStore {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<KeyValue<K, V>>): void;
  /** Deletes the key; returns the previous value. */
  delete(key: K): V | undefined;
  /** Entries with from <= key <= to in serialized-key byte order (both bounds inclusive, like Kafka Streams). */
  range(from: K, to: K): AsyncIterable<KeyValue<K, V>>;
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): AsyncIterable<KeyValue<K, V>>;
  all(): AsyncIterable<KeyValue<K, V>>;
  /** An estimate; exact for in-memory stores. */
  approximateNumEntries(): number;
}

export interface WindowedEntry<K, V> {
  readonly key: K;
  readonly windowStart: number;
  readonly value: V;
}

export interface WindowStore<K, V> extends StateStore {
  /** Writes the value of the window that starts at `windowStart`; `undefined` deletes it. */
  put(key: K, value: V | undefined, windowStart: number): void;
  fetch(key: K, windowStart: number): V | undefined;
  /** Windows of one key with timeFrom <= windowStart <= timeTo, in window-start order. */
  fetchRange(key: K, timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>>;
  /** Windows of all keys with timeFrom <= windowStart <= timeTo, ordered by key bytes, then window start. */
  fetchAll(timeFrom: number, timeTo: number): AsyncIterable<WindowedEntry<K, V>>;
  all(): AsyncIterable<WindowedEntry<K, V>>;
}

/** A value with the timestamp stored next to it. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * A window store whose values carry a timestamp, as Kafka Streams' TimestampedWindowStore: windowed
 * aggregations keep the largest record timestamp of each window there, to stamp its results. The
 * plain WindowStore methods read and write the value alone (`put` keeps the stored timestamp, or
 * uses the window start for a new window), so a store handle serves queries unchanged.
 */
export interface TimestampedWindowStore<K, V> extends WindowStore<K, V> {
  putWithTimestamp(key: K, value: V | undefined, windowStart: number, timestamp: number): void;
  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | undefined;
}

/** One session of a key: start and end are the first and last record timestamps (both inclusive). */
export interface SessionEntry<K, V> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
  readonly value: V;
}

/**
 * Sessions per key, as Kafka Streams' SessionStore: ordered by key bytes, then session end, then
 * start. Sessions that ended more than `retentionMs` before the latest session end put are no longer
 * found (Kafka Streams' retention), and expire from the backend later.
 */
export interface SessionStore<K, V> extends StateStore {
  /** Writes the session's aggregate; `undefined` removes it. */
  put(key: K, start: number, end: number, value: V | undefined): void;
  remove(key: K, start: number, end: number): void;
  fetchSession(key: K, start: number, end: number): V | undefined;
  /** Sessions of `key` with end >= earliestSessionEnd and start <= latestSessionStart. */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): AsyncIterable<SessionEntry<K, V>>;
  /** Every session of one key. */
  fetch(key: K): AsyncIterable<SessionEntry<K, V>>;
  all(): AsyncIterable<SessionEntry<K, V>>;
}

/** What a topology declares about a store; the backend builds the stack from it. */
export interface StoreDefinition<K = unknown, V = unknown> {
  readonly name: string;
  readonly kind: 'key-value' | 'window' | 'session';
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Back the store with `<applicationId>-<name>-changelog`. Default true. */
  readonly logging: boolean;
  /** Serve reads and dedupe writes through the task's write cache. Default true. */
  readonly caching: boolean;
  /**
   * Window stores: window size and retention (>= size + grace); windows older than that expire.
   * Session stores: retention (gap + grace by default, as Kafka Streams).
   */
  readonly windowSizeMs?: number;
  readonly retentionMs?: number;
  /**
   * Window stores only: every value carries a timestamp (a TimestampedWindowStore). Stored as 8 bytes
   * before the value serde's bytes, in the backend and in the changelog, so a restore brings it back.
   */
  readonly timestamped?: boolean;
}

export { changelogTopicName } from '../internal/names.js';

/** One record to write to a changelog partition; `value: null` is a tombstone. */
export interface ChangelogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface ChangelogBatchRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: bigint;
  readonly timestamp: number;
}

/** Reads one changelog partition (read_committed) for restores; provided by the runtime's Kafka port. */
export interface ChangelogReader {
  /** The offset after the last record (high watermark / last stable offset). */
  endOffset(topic: string, partition: number): Promise<bigint>;
  /** The first offset still in the log (after retention or compaction cleanup). */
  beginningOffset(topic: string, partition: number): Promise<bigint>;
  /**
   * Delivers records with fromOffset <= offset < toOffset in batches, then resolves. Offsets of
   * transaction markers and aborted records are skipped, so offsets need not be contiguous.
   */
  read(
    topic: string,
    partition: number,
    fromOffset: bigint,
    toOffset: bigint,
    onBatch: (records: ChangelogBatchRecord[]) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void>;
}

export interface RestoreProgress {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly phase: 'start' | 'progress' | 'end';
  /** The offset restore started from (checkpoint, or the beginning when there was no valid local state). */
  readonly fromOffset: bigint;
  readonly toOffset: bigint;
  readonly restored: number;
  readonly elapsedMs: number;
}

export interface TaskStateContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** The partition of the task's changelogs (= the task's input partition). */
  readonly partition: number;
  readonly stores: readonly StoreDefinition[];
  readonly changelogReader: ChangelogReader;
  readonly exactlyOnce: boolean;
  /**
   * The runtime's `recordLimits.maxRecordBytes`: a write whose changelog record would be larger is
   * a record error (stage production) instead of a changelog send the broker rejects.
   */
  readonly maxRecordBytes?: number;
  readonly onRestoreProgress?: (event: RestoreProgress) => void;
  readonly logger: import('../logger.js').Logger;
  readonly signal?: AbortSignal;
}

/** The stores of one task, opened and restored by a backend. */
export interface TaskStores {
  store<S extends StateStore>(name: string): S;
  /**
   * Commit step "flush cache into stores": writes every dirty cache entry to the backend and returns
   * the changelog records to produce (deduplicated per key since the last flush).
   */
  flush(): Promise<ChangelogRecord[]>;
  /**
   * Commit step "write checkpoint": called after the changelog records are durably in Kafka (and,
   * under exactly-once, committed). `offsets` maps changelog topic to the next offset to read.
   */
  checkpoint(offsets: ReadonlyMap<string, bigint>): Promise<void>;
  /** Bytes held in write caches, for the global cache budget. */
  cachedBytes(): number;
  /** Drops expired windows (retention) up to the task's stream time. */
  expire(streamTime: number): Promise<void>;
  /** Closes the stores. `clean: false` (after an error, or under exactly-once without a commit) must not leave a checkpoint that claims more than was committed. */
  close(options: { clean: boolean }): Promise<void>;
}

/** Builds task stores; `@tributary/state` provides LevelDB and in-memory backends. */
export interface StateBackend {
  readonly name: string;
  /** The backend's local directory, if it has one (keeps the instance's static member id). */
  readonly stateDir?: string;
  openTask(context: TaskStateContext): Promise<TaskStores>;
  /** True when the backend's shared write-cache budget is exceeded; the runtime then commits early. */
  cacheOverBudget?(): boolean;
}
