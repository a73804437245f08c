import { type BufferedEntry, entrySize, WriteBuffer } from './write-buffer.js';

interface CleanEntry {
  readonly key: Buffer;
  /** null: known to be absent from the backend (a cached miss). */
  readonly value: Buffer | null;
}

/**
 * Caching layer (Kafka Streams' CachingKeyValueStore) for stores with `caching: true`: writes are
 * deduplicated per key until the commit flush, which writes and logs only the last value per key.
 * Flushed entries and backend reads stay as clean entries, evicted least-recently-used when the
 * shared budget is exceeded.
 */
export class CachingStore extends WriteBuffer {
  /** Map order is the LRU order: oldest first; a hit re-inserts the entry at the end. */
  private readonly clean = new Map<string, CleanEntry>();

  protected readThrough(id: string, key: Buffer): Buffer | undefined {
    const hit = this.clean.get(id);
    if (hit !== undefined) {
      this.clean.delete(id);
      this.clean.set(id, hit);
      return hit.value ?? undefined;
    }
    const value = this.store.get(key) ?? null;
    this.clean.set(id, { key: Buffer.from(key), value });
    this.chargeClean(entrySize(key, value));
    return value ?? undefined;
  }

  protected record(id: string, entry: BufferedEntry): void {
    this.dropClean(id);
    const previous = this.dirty.get(id);
    this.dirty.set(id, entry);
    this.chargeDirty(
      entrySize(entry.key, entry.value) - (previous ? entrySize(previous.key, previous.value) : 0),
    );
  }

  protected takeOps(): BufferedEntry[] {
    return [...this.dirty.values()];
  }

  protected afterFlush(flushed: ReadonlyMap<string, BufferedEntry>): void {
    for (const [id, e] of flushed) {
      const size = entrySize(e.key, e.value);
      this.chargeDirty(-size);
      // A key written again during the flush is dirty again; its flushed value is stale.
      if (this.dirty.has(id)) continue;
      this.dropClean(id);
      this.clean.set(id, { key: e.key, value: e.value });
      this.chargeClean(size);
    }
  }

  protected afterFailedFlush(flushed: ReadonlyMap<string, BufferedEntry>): void {
    // Put back what was not overwritten meanwhile so a retry (or a read) still sees it.
    for (const [id, e] of flushed) {
      if (!this.dirty.has(id)) this.dirty.set(id, e);
      else this.chargeDirty(-entrySize(e.key, e.value));
    }
  }

  dropWhere(expired: (key: Buffer) => boolean): void {
    for (const [id, e] of this.dirty) {
      if (!expired(e.key)) continue;
      this.dirty.delete(id);
      this.chargeDirty(-entrySize(e.key, e.value));
    }
    for (const [id, e] of this.clean) if (expired(e.key)) this.dropClean(id);
  }

  evictClean(bytes: number): number {
    let freed = 0;
    for (const [id, e] of this.clean) {
      if (freed >= bytes) break;
      freed += entrySize(e.key, e.value);
      this.dropClean(id);
    }
    return freed;
  }

  override close(): void {
    this.clean.clear();
    super.close();
  }

  private dropClean(id: string): void {
    const e = this.clean.get(id);
    if (e === undefined) return;
    this.clean.delete(id);
    this.chargeClean(-entrySize(e.key, e.value));
  }
}
