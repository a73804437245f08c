import { describe, expect, it } from 'vitest';
import type { BytesStore } from './bytes-store.js';
import { CacheBudget } from './cache-budget.js';
import { CachingStore } from './caching.js';
import { ChangeLoggingStore } from './change-logging.js';
import { MemoryBytesStore } from './memory-store.js';
import { PendingBatchStore } from './pending-batch.js';

const b = (s: string) => Buffer.from(s);
const clock = { now: () => 1234 };

/** A memory store that counts point reads, to see which reads the cache answered. */
function countingStore(): { store: BytesStore; reads: string[] } {
  const inner = new MemoryBytesStore('s');
  const reads: string[] = [];
  const store: BytesStore = {
    name: 's',
    get: (key) => {
      reads.push(key.toString());
      return inner.get(key);
    },
    write: (ops) => inner.write(ops),
    range: (o) => inner.range(o),
    approximateCount: () => inner.approximateCount(),
    close: () => inner.close(),
  };
  return { store, reads };
}

describe('caching layer', () => {
  it('serves repeated reads from memory, including misses', async () => {
    const { store, reads } = countingStore();
    const cache = new CachingStore(new ChangeLoggingStore(store, undefined), new CacheBudget(), clock);
    await store.write([{ key: b('a'), value: b('1') }]);
    expect([cache.get(b('a'))?.toString(), cache.get(b('a'))?.toString()]).toEqual(['1', '1']);
    expect([cache.get(b('none')), cache.get(b('none'))]).toEqual([undefined, undefined]);
    cache.put(b('none'), b('2')); // a cached miss must not hide a later write
    expect(cache.get(b('none'))?.toString()).toBe('2');
    expect(reads).toEqual(['a', 'none']);
  });

  it('evicts the least recently used clean entry first', async () => {
    const { store, reads } = countingStore();
    const budget = new CacheBudget(1000);
    const cache = new CachingStore(new ChangeLoggingStore(store, undefined), budget, clock);
    cache.put(b('old'), b('1'));
    cache.put(b('hot'), b('2'));
    await cache.flush();
    expect(cache.get(b('old'))?.toString()).toBe('1'); // touch: 'hot' is now the LRU entry
    const other = new CachingStore(
      new ChangeLoggingStore(new MemoryBytesStore('o'), undefined),
      budget,
      clock,
    );
    const clean = budget.usedBytes();
    for (let i = 10; budget.usedBytes() === clean + other.cachedBytes(); i++) other.put(b(`k${i}`), b('x'));
    expect(reads).toEqual([]);
    expect(cache.get(b('old'))?.toString()).toBe('1');
    expect(reads).toEqual([]); // still cached
    expect(cache.get(b('hot'))?.toString()).toBe('2');
    expect(reads).toEqual(['hot']); // evicted, read from the store
  });

  it('keeps writes made during a flush dirty, and flushed values readable meanwhile', async () => {
    const { store } = countingStore();
    const logged = new ChangeLoggingStore(store, { topic: 't', partition: 0 });
    const cache = new CachingStore(logged, new CacheBudget(), clock);
    cache.put(b('a'), b('1'));
    const flushing = cache.flush();
    expect(cache.get(b('a'))?.toString()).toBe('1');
    cache.put(b('a'), b('2'));
    const records = await flushing;
    expect(records.map((r) => [r.key.toString(), r.value?.toString(), r.timestamp])).toEqual([
      ['a', '1', 1234],
    ]);
    expect(cache.get(b('a'))?.toString()).toBe('2');
    expect((await cache.flush()).map((r) => r.value?.toString())).toEqual(['2']);
  });

  it('restores buffered writes when the backend write fails', async () => {
    const { store } = countingStore();
    const failing: BytesStore = { ...store, write: async () => Promise.reject(new Error('disk full')) };
    for (const Layer of [CachingStore, PendingBatchStore]) {
      const buffer = new Layer(new ChangeLoggingStore(failing, undefined), new CacheBudget(), clock);
      buffer.put(b('a'), b('1'));
      const bytes = buffer.cachedBytes();
      await expect(buffer.flush()).rejects.toMatchObject({ code: 'COMMIT_FAILED' });
      expect([buffer.get(b('a'))?.toString(), buffer.cachedBytes()]).toEqual(['1', bytes]);
    }
  });
});
