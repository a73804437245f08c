import { type BytesEntry, type BytesStore, keyId, type RangeOptions, type WriteOp } from './bytes-store.js';

const CHUNK = 512;

/**
 * Sorted in-memory bytes store. Values live in a Map keyed by the latin1 form of the key; the sorted
 * key order is kept in an array that is only re-sorted when a scan needs it, so restores and write
 * bursts cost O(1) per key instead of an array splice each.
 */
export class MemoryBytesStore implements BytesStore {
  private readonly entries = new Map<string, BytesEntry>();
  /** Sorted ids; may still hold deleted ids (skipped on scan) until the next rebuild. */
  private sorted: string[] = [];
  /** Ids added since the last sort, in arrival order. */
  private unsorted: string[] = [];
  private deletedSinceSort = 0;

  constructor(readonly name: string) {}

  get(key: Buffer): Buffer | undefined {
    return this.entries.get(keyId(key))?.[1];
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    for (const op of ops) {
      const id = keyId(op.key);
      if (op.value === null) {
        if (this.entries.delete(id)) this.deletedSinceSort++;
        continue;
      }
      if (!this.entries.has(id)) this.unsorted.push(id);
      // Copy so later mutation of the caller's buffers cannot change stored bytes.
      this.entries.set(id, [Buffer.from(op.key), Buffer.from(op.value)]);
    }
  }

  async *range(options: RangeOptions = {}): AsyncIterable<readonly BytesEntry[]> {
    const ids = this.sortedIds();
    let i = options.from === undefined ? 0 : lowerBound(ids, keyId(options.from));
    const to = options.to === undefined ? undefined : keyId(options.to);
    let chunk: BytesEntry[] = [];
    for (; i < ids.length; i++) {
      const id = ids[i]!;
      if (to !== undefined && id > to) break;
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      chunk.push(entry);
      if (chunk.length === CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  approximateCount(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {}

  /** Merges pending ids into the sorted array; a scan holding the old array keeps a stable view. */
  private sortedIds(): string[] {
    if (this.unsorted.length === 0 && this.deletedSinceSort === 0) return this.sorted;
    const fresh = this.unsorted.filter((id) => this.entries.has(id)).sort();
    const kept = this.deletedSinceSort > 0 ? this.sorted.filter((id) => this.entries.has(id)) : this.sorted;
    this.sorted = mergeSorted(kept, fresh);
    this.unsorted = [];
    this.deletedSinceSort = 0;
    return this.sorted;
  }
}

function lowerBound(ids: readonly string[], target: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Merges two sorted arrays, dropping duplicates (a key deleted and re-added sits in both). */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}
