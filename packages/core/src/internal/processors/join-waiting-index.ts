/** Estimated JS heap cost of an entry and of a value next to its bytes (map entry, array, Buffer view). */
const ENTRY_OVERHEAD = 96;
const VALUE_OVERHEAD = 96;

/**
 * An in-memory copy of a left/outer join's shared store (records waiting for a partner), so that
 * the emission pass and the partner check of a match are synchronous. Entries are keyed by the store
 * key's bytes as a latin1 string: such strings compare exactly as the bytes do, so the sorted order
 * here is the store's scan order. The copy must be complete to be used; the processor drops it for
 * good (and reads the store as before) once it grows past `maxBytes`.
 */
export class JoinWaitingIndex {
  private readonly entries = new Map<string, Buffer[]>();
  /** Ids in ascending order from `head` on; may still list deleted ids (`listed` minus `entries`). */
  private order: string[] = [];
  private head = 0;
  private readonly listed = new Set<string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get overBudget(): boolean {
    return this.bytes > this.maxBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Buffer[] | undefined {
    return this.entries.get(id);
  }

  /** Mirrors a put of the whole list under `id`. */
  put(id: string, values: Buffer[]): void {
    const previous = this.entries.get(id);
    if (previous !== undefined) this.bytes -= sizeOf(id, previous);
    this.entries.set(id, values);
    this.bytes += sizeOf(id, values);
    if (!this.listed.has(id)) this.insert(id);
  }

  delete(id: string): void {
    const previous = this.entries.get(id);
    if (previous === undefined) return;
    this.entries.delete(id);
    this.bytes -= sizeOf(id, previous);
    // Deleted ids stay in `order` until the head passes them or a compaction drops them.
    while (this.head < this.order.length && !this.entries.has(this.order[this.head] as string)) {
      this.listed.delete(this.order[this.head] as string);
      this.head += 1;
    }
    // The prefix before `head` and the deleted ids are garbage: drop them once they dominate.
    if (this.listed.size > 2 * this.entries.size + 1024 || this.head > this.order.length / 2 + 1024)
      this.compact();
  }

  /** Live entries in store order. The caller must not delete while iterating (collect, then delete). */
  *scan(): Generator<[string, Buffer[]]> {
    for (let i = this.head; i < this.order.length; i++) {
      const id = this.order[i] as string;
      const values = this.entries.get(id);
      if (values !== undefined) yield [id, values];
    }
  }

  private insert(id: string): void {
    const order = this.order;
    this.listed.add(id);
    const last = order[order.length - 1];
    if (order.length === this.head || (last as string) < id) {
      order.push(id); // the usual case: waiting records arrive in timestamp order
      return;
    }
    let lo = this.head;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((order[mid] as string) < id) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, id);
  }

  private compact(): void {
    this.order = this.order.slice(this.head).filter((id) => this.entries.has(id));
    this.head = 0;
    this.listed.clear();
    for (const id of this.order) this.listed.add(id);
  }
}

function sizeOf(id: string, values: readonly Buffer[]): number {
  let n = ENTRY_OVERHEAD + id.length;
  for (const v of values) n += VALUE_OVERHEAD + v.length;
  return n;
}
