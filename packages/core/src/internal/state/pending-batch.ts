import { type BufferedEntry, entrySize, WriteBuffer } from './write-buffer.js';

/**
 * Write path for stores with `caching: false`. Writes are still buffered until the commit flush
 * (point writes must stay synchronous and the backend write is async), but nothing is deduplicated:
 * every write reaches the bytes store and the changelog, in order, as Kafka Streams does for an
 * uncached store. Reads see the latest write; there is no read cache.
 */
export class PendingBatchStore extends WriteBuffer {
  private log: BufferedEntry[] = [];

  protected readThrough(_id: string, key: Buffer): Buffer | undefined {
    return this.store.get(key);
  }

  protected record(id: string, entry: BufferedEntry): void {
    this.dirty.set(id, entry);
    this.log.push(entry);
    this.chargeDirty(entrySize(entry.key, entry.value));
  }

  protected takeOps(): BufferedEntry[] {
    const ops = this.log;
    this.log = [];
    return ops;
  }

  protected afterFlush(_flushed: ReadonlyMap<string, BufferedEntry>, ops: readonly BufferedEntry[]): void {
    let bytes = 0;
    for (const e of ops) bytes += entrySize(e.key, e.value);
    this.chargeDirty(-bytes);
  }

  protected afterFailedFlush(flushed: ReadonlyMap<string, BufferedEntry>, ops: BufferedEntry[]): void {
    this.log = ops.concat(this.log);
    for (const [id, e] of flushed) if (!this.dirty.has(id)) this.dirty.set(id, e);
  }

  dropWhere(expired: (key: Buffer) => boolean): void {
    for (const [id, e] of this.dirty) if (expired(e.key)) this.dirty.delete(id);
    const kept: BufferedEntry[] = [];
    let freed = 0;
    for (const e of this.log) {
      if (expired(e.key)) freed += entrySize(e.key, e.value);
      else kept.push(e);
    }
    this.log = kept;
    this.chargeDirty(-freed);
  }

  evictClean(): number {
    return 0;
  }

  override close(): void {
    this.log = [];
    super.close();
  }
}
