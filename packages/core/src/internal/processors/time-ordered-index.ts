/** One buffered key as the index sees it: when it was first buffered and its estimated size. */
export interface IndexedKey<K> {
  readonly id: string;
  readonly key: K;
  readonly keyBytes: Buffer;
  readonly time: number;
  size: number;
}

function before<K>(a: IndexedKey<K>, b: IndexedKey<K>): boolean {
  return a.time !== b.time ? a.time < b.time : Buffer.compare(a.keyBytes, b.keyBytes) < 0;
}

/**
 * The keys of a suppression buffer ordered by (buffer time, serialized key bytes), the order Kafka
 * Streams evicts in. A key keeps its first buffer time until it is evicted, and eviction only takes
 * the head, so a binary min-heap plus a map by id is enough.
 */
export class TimeOrderedIndex<K> {
  private readonly heap: IndexedKey<K>[] = [];
  private readonly byId = new Map<string, IndexedKey<K>>();
  private bytes = 0;

  get size(): number {
    return this.heap.length;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(id: string): IndexedKey<K> | undefined {
    return this.byId.get(id);
  }

  peek(): IndexedKey<K> | undefined {
    return this.heap[0];
  }

  add(entry: IndexedKey<K>): void {
    this.byId.set(entry.id, entry);
    this.bytes += entry.size;
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as IndexedKey<K>, h[parent] as IndexedKey<K>)) break;
      [h[i], h[parent]] = [h[parent] as IndexedKey<K>, h[i] as IndexedKey<K>];
      i = parent;
    }
  }

  resize(entry: IndexedKey<K>, size: number): void {
    this.bytes += size - entry.size;
    entry.size = size;
  }

  /** Removes and returns the head (oldest buffer time, then smallest key bytes). */
  pop(): IndexedKey<K> | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as IndexedKey<K>;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as IndexedKey<K>, h[m] as IndexedKey<K>)) m = l;
        if (r < h.length && before(h[r] as IndexedKey<K>, h[m] as IndexedKey<K>)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as IndexedKey<K>, h[i] as IndexedKey<K>];
        i = m;
      }
    }
    this.byId.delete(top.id);
    this.bytes -= top.size;
    return top;
  }
}
