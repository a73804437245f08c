/** The records one join buffer holds under one key and timestamp, serialized, in arrival order. */
export interface BufferSlot {
  readonly ts: number;
  readonly values: Buffer[];
}

interface HeapEntry {
  readonly ts: number;
  readonly id: string;
}

/** Estimated JS heap cost of a slot and of a value next to its bytes (objects, array, Buffer view). */
const SLOT_OVERHEAD = 64;
const VALUE_OVERHEAD = 96;

/** Default memory of one buffer's index in one task. */
export const DEFAULT_JOIN_INDEX_BYTES = 16 * 1024 * 1024;

/**
 * An in-memory copy of the recent part of one stream-stream join buffer (a window store), so that a
 * lookup is a synchronous binary search instead of an awaited LevelDB range read per record. The
 * store stays the truth and receives every write; the index is a read cache with one invariant:
 * it holds exactly the store's records with a timestamp of at least `completeFrom`. A lookup that
 * starts below it returns `undefined` and the caller reads the store, so the result never depends on
 * what the index kept. Memory is bounded: past `maxBytes` the oldest timestamps are dropped (and
 * `completeFrom` moves past them), which only the oldest part of a window ever needs.
 */
export class JoinBufferIndex {
  /** Slots of each key (serialized key bytes as latin1), ordered by timestamp. */
  private readonly byKey = new Map<string, BufferSlot[]>();
  /** One entry per slot, smallest timestamp on top: the eviction order. */
  private readonly heap: HeapEntry[] = [];
  private bytes = 0;
  /** Every store record with `ts >= completeFrom` is here. */
  completeFrom = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxBytes: number) {}

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Whether the index answers every lookup that starts at `from`. */
  covers(from: number): boolean {
    return from >= this.completeFrom;
  }

  /** The slot of (key, ts) if the index holds one; only meaningful where `covers(ts)`. */
  slot(id: string, ts: number): BufferSlot | undefined {
    const slots = this.byKey.get(id);
    if (slots === undefined) return undefined;
    const i = lowerBound(slots, ts);
    const s = slots[i];
    return s !== undefined && s.ts === ts ? s : undefined;
  }

  /** Slots of one key with from <= ts <= to, in timestamp order; undefined if the index cannot tell. */
  range(id: string, from: number, to: number): BufferSlot[] | undefined {
    if (!this.covers(from)) return undefined;
    const slots = this.byKey.get(id);
    if (slots === undefined || from > to) return [];
    const out: BufferSlot[] = [];
    for (let i = lowerBound(slots, from); i < slots.length; i++) {
      const s = slots[i] as BufferSlot;
      if (s.ts > to) break;
      out.push(s);
    }
    return out;
  }

  /** Mirrors a record appended to the store's (key, ts) list. Below `completeFrom` it is not kept. */
  append(id: string, ts: number, value: Buffer): void {
    if (ts < this.completeFrom) return;
    let slots = this.byKey.get(id);
    if (slots === undefined) {
      slots = [];
      this.byKey.set(id, slots);
    }
    const i = lowerBound(slots, ts);
    const at = slots[i];
    if (at !== undefined && at.ts === ts) {
      at.values.push(value);
    } else {
      slots.splice(i, 0, { ts, values: [value] });
      this.push({ ts, id });
      this.bytes += SLOT_OVERHEAD + id.length;
    }
    this.bytes += VALUE_OVERHEAD + value.length;
    while (this.bytes > this.maxBytes && this.heap.length > 0) this.dropOldest();
  }

  /** Forgets everything below `bound` (records no lookup can return any more, or may have expired). */
  dropBefore(bound: number): void {
    while (this.heap.length > 0 && (this.heap[0] as HeapEntry).ts < bound) this.dropOldest();
    if (bound > this.completeFrom) this.completeFrom = bound;
  }

  private dropOldest(): void {
    const top = this.pop();
    // The heap pops in timestamp order, so this slot is the first one its key still has.
    const slots = this.byKey.get(top.id) as BufferSlot[];
    const slot = slots.shift() as BufferSlot;
    this.bytes -= SLOT_OVERHEAD + top.id.length;
    for (const v of slot.values) this.bytes -= VALUE_OVERHEAD + v.length;
    if (slots.length === 0) this.byKey.delete(top.id);
    if (top.ts + 1 > this.completeFrom) this.completeFrom = top.ts + 1;
  }

  private push(e: HeapEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as HeapEntry).ts <= e.ts) break;
      h[i] = h[parent] as HeapEntry;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): HeapEntry {
    const h = this.heap;
    const top = h[0] as HeapEntry;
    const last = h.pop() as HeapEntry;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as HeapEntry).ts < (h[l] as HeapEntry).ts ? r : l;
      if ((h[c] as HeapEntry).ts >= last.ts) break;
      h[i] = h[c] as HeapEntry;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/** First index whose slot's ts is >= ts. */
function lowerBound(slots: readonly BufferSlot[], ts: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((slots[mid] as BufferSlot).ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
