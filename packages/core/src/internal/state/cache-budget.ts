import { TributaryError } from '../../errors.js';

/** A cache that can give back memory without I/O (clean entries only; dirty ones need a flush). */
export interface Evictable {
  /** Drops least-recently-used clean entries until about `bytes` are freed; returns bytes freed. */
  evictClean(bytes: number): number;
}

/**
 * The memory budget of all write caches of a process, shared by every task (Kafka Streams'
 * `statestore.cache.max.bytes`). Going over it first evicts clean (already flushed) entries; dirty
 * entries can only leave through `TaskStores.flush()`, which is async, so the runtime checks
 * `overBudget()` between batches and commits the tasks with the largest `cachedBytes()`.
 */
export class CacheBudget {
  static readonly DEFAULT_BYTES = 64 * 1024 * 1024;

  private used = 0;
  private readonly members = new Set<Evictable>();

  constructor(readonly maxBytes: number = CacheBudget.DEFAULT_BYTES) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) {
      throw new TributaryError('CONFIG_INVALID', `cache budget must be a byte count >= 0, got ${maxBytes}`);
    }
  }

  static from(budget: CacheBudget | number | undefined): CacheBudget {
    return budget instanceof CacheBudget ? budget : new CacheBudget(budget);
  }

  usedBytes(): number {
    return this.used;
  }

  /** True when dirty entries alone exceed the budget: time for the runtime to flush (commit). */
  overBudget(): boolean {
    return this.used > this.maxBytes;
  }

  register(member: Evictable): void {
    this.members.add(member);
  }

  unregister(member: Evictable): void {
    this.members.delete(member);
  }

  /** Records a change in a member's usage; growth past the budget evicts clean entries, `from`'s first. */
  charge(delta: number, from?: Evictable): void {
    this.used += delta;
    if (delta <= 0 || this.used <= this.maxBytes) return;
    if (from !== undefined) from.evictClean(this.used - this.maxBytes);
    for (const member of this.members) {
      if (this.used <= this.maxBytes) return;
      if (member !== from) member.evictClean(this.used - this.maxBytes);
    }
  }
}
