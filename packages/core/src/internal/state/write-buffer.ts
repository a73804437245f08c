import type { Clock } from '../../clock.js';
import { TributaryError } from '../../errors.js';
import type { ChangelogRecord } from '../../state/store.js';
import { ProductionError } from '../runtime/error-policy.js';
import { unloggable } from '../runtime/record-limits.js';
import { type BytesEntry, inRange, keyId, type RangeOptions } from './bytes-store.js';
import type { CacheBudget, Evictable } from './cache-budget.js';
import type { ChangeLoggingStore, TimedWriteOp } from './change-logging.js';

export type BufferedEntry = TimedWriteOp;

/** Rough heap cost of one buffered entry beyond its bytes (map slot, id string, objects). */
const ENTRY_OVERHEAD = 80;

export function entrySize(key: Buffer, value: Buffer | null): number {
  return 2 * key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
}

/**
 * Per-store buffer between the typed layer and the change-logging layer: holds writes made since
 * the last commit so point reads see them synchronously (read-your-writes), merges them into scans,
 * and hands them down in one batch at `flush()`. Subclasses decide what a flush writes (the last
 * value per key, or every write) and whether clean reads are cached.
 */
export abstract class WriteBuffer implements Evictable {
  /** Latest unflushed write per key (latin1 id). */
  protected dirty = new Map<string, BufferedEntry>();
  /** Writes being flushed: still visible to reads until the backend has them. */
  private flushing: ReadonlyMap<string, BufferedEntry> | undefined;
  private dirtyBytes = 0;
  private cleanBytes = 0;

  constructor(
    readonly store: ChangeLoggingStore,
    protected readonly budget: CacheBudget,
    private readonly clock: Clock,
  ) {
    budget.register(this);
  }

  get name(): string {
    return this.store.name;
  }

  get(key: Buffer): Buffer | undefined {
    const id = keyId(key);
    const pending = this.dirty.get(id) ?? this.flushing?.get(id);
    if (pending !== undefined) return pending.value ?? undefined;
    return this.readThrough(id, key);
  }

  put(key: Buffer, value: Buffer | null): void {
    // Refused here, while the record that caused the write is known: at commit, the changelog send
    // would fail the whole batch and stop the app. A ProductionError follows the error policy.
    const max = this.store.changelog?.maxRecordBytes;
    const why = max === undefined ? undefined : unloggable(key, value, max);
    if (why !== undefined) throw new ProductionError(`store ${this.name}: ${why}`);
    // No copy: serdes return a fresh buffer per call. The timestamp becomes the changelog record's.
    this.record(keyId(key), { key, value, timestamp: this.clock.now() });
  }

  /** Entries in key order, in chunks: buffered writes merged over the backend, deletes hidden. */
  async *range(options: RangeOptions = {}): AsyncIterable<readonly BytesEntry[]> {
    const overlay = [...this.overlay().values()].filter((e) => inRange(e.key, options));
    overlay.sort((a, b) => Buffer.compare(a.key, b.key));
    let i = 0;
    for await (const chunk of this.store.range(options)) {
      if (i >= overlay.length) {
        yield chunk; // nothing buffered left: pass the backend chunk through untouched
        continue;
      }
      const out: BytesEntry[] = [];
      for (const entry of chunk) {
        let o = overlay[i];
        while (o !== undefined && Buffer.compare(o.key, entry[0]) < 0) {
          if (o.value !== null) out.push([o.key, o.value]);
          o = overlay[++i];
        }
        if (o !== undefined && Buffer.compare(o.key, entry[0]) === 0) {
          i++;
          if (o.value !== null) out.push([o.key, o.value]);
        } else {
          out.push(entry);
        }
      }
      yield out;
    }
    const rest: BytesEntry[] = [];
    for (const o of overlay.slice(i)) if (o.value !== null) rest.push([o.key, o.value]);
    if (rest.length > 0) yield rest;
  }

  /** Unflushed writes, last per key (used for entry counts). */
  overlay(): ReadonlyMap<string, BufferedEntry> {
    if (this.flushing === undefined || this.flushing.size === 0) return this.dirty;
    return new Map([...this.flushing, ...this.dirty]);
  }

  /** Writes buffered entries as one batch; returns their changelog records. */
  async flush(): Promise<ChangelogRecord[]> {
    if (this.flushing !== undefined)
      throw new TributaryError('ILLEGAL_STATE', `store ${this.name}: flush already running`);
    const ops = this.takeOps();
    if (ops.length === 0) return [];
    const flushing = this.dirty;
    this.flushing = flushing;
    this.dirty = new Map();
    try {
      const records = await this.store.write(ops);
      this.afterFlush(flushing, ops);
      return records;
    } catch (err) {
      this.afterFailedFlush(flushing, ops);
      throw new TributaryError('COMMIT_FAILED', `store ${this.name}: flush failed`, { cause: err });
    } finally {
      this.flushing = undefined;
    }
  }

  /** Bytes of unflushed writes: what the next flush frees. */
  cachedBytes(): number {
    return this.dirtyBytes;
  }

  close(): void {
    this.budget.unregister(this);
    this.budget.charge(-(this.dirtyBytes + this.cleanBytes));
    this.dirtyBytes = 0;
    this.cleanBytes = 0;
    this.dirty = new Map();
  }

  /** Drops buffered entries whose key matches (window expiry); nothing is logged for them. */
  abstract dropWhere(expired: (key: Buffer) => boolean): void;
  abstract evictClean(bytes: number): number;

  protected abstract readThrough(id: string, key: Buffer): Buffer | undefined;
  protected abstract record(id: string, entry: BufferedEntry): void;
  /** The ops of the next flush, in the order they must be applied and logged. */
  protected abstract takeOps(): BufferedEntry[];
  protected abstract afterFlush(
    flushed: ReadonlyMap<string, BufferedEntry>,
    ops: readonly BufferedEntry[],
  ): void;
  protected abstract afterFailedFlush(
    flushed: ReadonlyMap<string, BufferedEntry>,
    ops: BufferedEntry[],
  ): void;

  /** Both kinds count against the shared budget; only dirty bytes are reported as cachedBytes. */
  protected chargeDirty(delta: number): void {
    this.dirtyBytes += delta;
    this.budget.charge(delta, this);
  }

  protected chargeClean(delta: number): void {
    this.cleanBytes += delta;
    this.budget.charge(delta, this);
  }
}
