import type { Serde } from '../../serde/serde.js';

/**
 * Windows that still await their final result, ordered by end so closing is a pop from the front.
 * Keys are identified by their JSON form (DSL keys are primitives or plain objects).
 */
export class OpenWindows<K> {
  private readonly byEnd = new Map<number, Map<string, { key: K; start: number }>>();
  private ends: number[] = [];
  private sorted = true;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(key: K, start: number, end: number): void {
    let bucket = this.byEnd.get(end);
    if (!bucket) {
      bucket = new Map();
      this.byEnd.set(end, bucket);
      if (this.ends.length > 0 && end < (this.ends.at(-1) as number)) this.sorted = false;
      this.ends.push(end);
    }
    const id = `${start}|${JSON.stringify(key)}`;
    if (!bucket.has(id)) {
      bucket.set(id, { key, start });
      this.count += 1;
    }
  }

  maxEnd(): number {
    this.sort();
    return this.ends.at(-1) ?? Number.NEGATIVE_INFINITY;
  }

  /** Removes and returns every window with end <= closeTime, oldest end first. */
  *popEndingAtOrBefore(closeTime: number): Generator<ClosedWindow<K>> {
    this.sort();
    while (this.ends.length > 0 && (this.ends[0] as number) <= closeTime) {
      const end = this.ends.shift() as number;
      const bucket = this.byEnd.get(end);
      this.byEnd.delete(end);
      if (!bucket) continue;
      this.count -= bucket.size;
      for (const w of bucket.values()) yield { key: w.key, start: w.start, end };
    }
  }

  private sort(): void {
    if (!this.sorted) {
      this.ends.sort((a, b) => a - b);
      this.sorted = true;
    }
  }
}

export type ClosedWindow<K> = { key: K; start: number; end: number };

/**
 * Orders windows that close together as Kafka Streams' time-ordered stores emit them: by end, then
 * serialized key bytes, then start. `topic` is the store's changelog, the topic its serde writes for.
 */
export function sortInStoreOrder<K>(
  closed: ClosedWindow<K>[],
  keySerde: Serde<unknown>,
  topic: string,
): void {
  if (closed.length < 2) return;
  const bytes = new Map<ClosedWindow<K>, Buffer>();
  for (const w of closed) bytes.set(w, keySerde.serialize(w.key, topic) ?? Buffer.alloc(0));
  closed.sort(
    (a, b) =>
      a.end - b.end || Buffer.compare(bytes.get(a) as Buffer, bytes.get(b) as Buffer) || a.start - b.start,
  );
}

/** Orders keys by their JSON form, for a deterministic emit order among windows that close together. */
export function compareKeys(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
