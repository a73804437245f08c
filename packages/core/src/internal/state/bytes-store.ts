/** One write of a batch; `value: null` deletes the key. */
export interface WriteOp {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** Inclusive bounds in Buffer.compare order; a missing bound is open. */
export interface RangeOptions {
  readonly from?: Buffer | undefined;
  readonly to?: Buffer | undefined;
}

export type BytesEntry = readonly [key: Buffer, value: Buffer];

/**
 * The bottom of the store stack: ordered bytes, no serdes, no caching, no changelog. Point reads are
 * synchronous so typed stores can serve processors without awaiting; everything else is async.
 */
export interface BytesStore {
  readonly name: string;
  get(key: Buffer): Buffer | undefined;
  /** Applies the ops in order as one atomic batch (a later op on the same key wins). */
  write(ops: readonly WriteOp[]): Promise<void>;
  /** Entries in key order, delivered in chunks so the native iterator is not crossed per entry. */
  range(options?: RangeOptions): AsyncIterable<readonly BytesEntry[]>;
  /** Number of keys; exact for both backends here (LevelDB counts at open and tracks writes). */
  approximateCount(): number;
  close(): Promise<void>;
}

/** Map keys for byte strings: latin1 maps each byte to one UTF-16 unit, so `<` on them is byte order. */
export function keyId(key: Buffer): string {
  return key.toString('latin1');
}

export function inRange(key: Buffer, options: RangeOptions): boolean {
  if (options.from !== undefined && Buffer.compare(key, options.from) < 0) return false;
  if (options.to !== undefined && Buffer.compare(key, options.to) > 0) return false;
  return true;
}
