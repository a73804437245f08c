import type { ChangelogRecord } from '../../state/store.js';
import type { BytesEntry, BytesStore, RangeOptions, WriteOp } from './bytes-store.js';

/** A write on its way down the stack, stamped when the processor made it. */
export interface TimedWriteOp extends WriteOp {
  readonly timestamp: number;
}

/** Where a logged store's changes go: `<applicationId>-<store>-changelog`, the task's partition. */
export interface ChangelogTarget {
  readonly topic: string;
  readonly partition: number;
  /** A write whose changelog record would be larger is refused (see `recordLimits`). */
  readonly maxRecordBytes?: number | undefined;
}

/**
 * Change-logging layer (Kafka Streams' ChangeLoggingKeyValueBytesStore): every write that reaches
 * the bytes store becomes a changelog record, deletes become tombstones. Records are returned to the
 * caller, which hands them to the runtime at commit; nothing is produced from here.
 */
export class ChangeLoggingStore {
  constructor(
    readonly inner: BytesStore,
    /** Undefined for stores declared with `logging: false`. */
    readonly changelog: ChangelogTarget | undefined,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get(key: Buffer): Buffer | undefined {
    return this.inner.get(key);
  }

  range(options?: RangeOptions): AsyncIterable<readonly BytesEntry[]> {
    return this.inner.range(options);
  }

  /** Writes one batch and returns its changelog records, in write order. */
  async write(ops: readonly TimedWriteOp[]): Promise<ChangelogRecord[]> {
    await this.inner.write(ops);
    const target = this.changelog;
    if (target === undefined) return [];
    return ops.map((op) => ({
      topic: target.topic,
      partition: target.partition,
      key: op.key,
      value: op.value,
      timestamp: op.timestamp,
    }));
  }

  /**
   * Local-only deletes (window retention). Not logged, like Kafka Streams: the windowed changelog is
   * `compact,delete` with a retention, so the broker drops old windows by itself.
   */
  async deleteLocal(keys: readonly Buffer[]): Promise<void> {
    await this.inner.write(keys.map((key) => ({ key, value: null })));
  }
}
