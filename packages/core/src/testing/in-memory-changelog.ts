import type { ChangelogBatchRecord, ChangelogReader, ChangelogRecord } from '../state/store.js';

interface Partition {
  records: ChangelogBatchRecord[];
  begin: bigint;
  next: bigint;
}

export interface InMemoryChangelogOptions {
  /** Records per `onBatch` call (default 500). */
  readonly batchSize?: number;
}

/**
 * A ChangelogReader over arrays, for tests and benchmarks: `append` plays the producer (assigning
 * offsets), `read` plays a read_committed consumer. Transaction markers and aborted records take
 * offsets that are never delivered, as on a real broker.
 */
export class InMemoryChangelog implements ChangelogReader {
  private readonly partitions = new Map<string, Partition>();
  private readonly batchSize: number;
  /** Every `read` call, for assertions on what a restore asked for. */
  readonly reads: Array<{ topic: string; partition: number; fromOffset: bigint; toOffset: bigint }> = [];

  constructor(options: InMemoryChangelogOptions = {}) {
    this.batchSize = options.batchSize ?? 500;
  }

  /**
   * Appends records; with `transactional`, each touched partition then gets a commit marker (one
   * offset, never delivered). Returns the next offset per topic, as the runtime would checkpoint.
   */
  append(
    records: readonly ChangelogRecord[],
    options: { transactional?: boolean } = {},
  ): Map<string, bigint> {
    const touched = new Map<string, Partition>();
    for (const r of records) {
      const p = this.partition(r.topic, r.partition);
      p.records.push({ key: r.key, value: r.value, offset: p.next, timestamp: r.timestamp });
      p.next++;
      touched.set(r.topic, p);
    }
    if (options.transactional) for (const p of touched.values()) p.next++;
    return new Map([...touched].map(([topic, p]) => [topic, p.next]));
  }

  /** Records of an aborted transaction: they take offsets (plus the abort marker) but are never read. */
  appendAborted(topic: string, partition: number, count: number): void {
    this.partition(topic, partition).next += BigInt(count) + 1n;
  }

  /** Drops records below `offset`, as retention or compaction cleanup would. */
  truncateBefore(topic: string, partition: number, offset: bigint): void {
    const p = this.partition(topic, partition);
    p.records = p.records.filter((r) => r.offset >= offset);
    p.begin = offset;
  }

  async endOffset(topic: string, partition: number): Promise<bigint> {
    return this.partition(topic, partition).next;
  }

  async beginningOffset(topic: string, partition: number): Promise<bigint> {
    return this.partition(topic, partition).begin;
  }

  async read(
    topic: string,
    partition: number,
    fromOffset: bigint,
    toOffset: bigint,
    onBatch: (records: ChangelogBatchRecord[]) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    this.reads.push({ topic, partition, fromOffset, toOffset });
    const selected = this.partition(topic, partition).records.filter(
      (r) => r.offset >= fromOffset && r.offset < toOffset,
    );
    for (let i = 0; i < selected.length; i += this.batchSize) {
      signal?.throwIfAborted();
      await onBatch(selected.slice(i, i + this.batchSize));
    }
  }

  /** Last value per key as a compacted topic would keep it (tombstones remove keys). */
  compacted(topic: string, partition: number): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const r of this.partition(topic, partition).records) {
      if (r.key === null) continue;
      const id = r.key.toString('latin1');
      if (r.value === null) out.delete(id);
      else out.set(id, r.value);
    }
    return out;
  }

  private partition(topic: string, partition: number): Partition {
    const id = `${topic}\u0000${partition}`;
    let p = this.partitions.get(id);
    if (p === undefined) {
      p = { records: [], begin: 0n, next: 0n };
      this.partitions.set(id, p);
    }
    return p;
  }
}
