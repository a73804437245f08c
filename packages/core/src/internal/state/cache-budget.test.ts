import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import { Serdes } from '../../serde/serdes.js';
import type { ChangelogReader, KeyValueStore } from '../../state/store.js';
import { inMemoryBackend } from './backends.js';
import { CacheBudget } from './cache-budget.js';

type Store = KeyValueStore<string, unknown>;

/** Every changelog is empty: nothing to restore. */
const emptyChangelog: ChangelogReader = {
  beginningOffset: async () => 0n,
  endOffset: async () => 0n,
  read: async () => {},
};

async function twoTasks(budget: CacheBudget, caching = true) {
  const backend = inMemoryBackend({ cacheBudget: budget });
  const open = (taskId: string) =>
    backend.openTask({
      applicationId: 'app',
      taskId,
      partition: 0,
      stores: [
        {
          name: 'kv',
          kind: 'key-value',
          keySerde: Serdes.string(),
          valueSerde: Serdes.msgpack(),
          logging: true,
          caching,
        },
      ],
      changelogReader: emptyChangelog,
      exactlyOnce: false,
      logger: silentLogger,
    });
  return [await open('0_0'), await open('0_1')] as const;
}

describe('cache budget', () => {
  it('is shared by tasks: usage is the sum of their cached bytes, and flush gives it back', async () => {
    const budget = new CacheBudget(4096);
    const [a, b] = await twoTasks(budget);
    const value = 'v'.repeat(200);
    a.store<Store>('kv').put('a1', value);
    const one = a.cachedBytes();
    expect(one).toBeGreaterThan(200);
    a.store<Store>('kv').put('a1', value); // same key, same size: deduplicated
    expect(a.cachedBytes()).toBe(one);
    a.store<Store>('kv').put('a2', value);
    b.store<Store>('kv').put('b1', value);
    expect([a.cachedBytes(), b.cachedBytes()]).toEqual([2 * one, one]);
    expect(budget.usedBytes()).toBe(3 * one);
    expect(budget.overBudget()).toBe(false);
    for (let i = 0; i < 20; i++) b.store<Store>('kv').put(`b-more-${i}`, value);
    expect(budget.overBudget()).toBe(true); // dirty entries cannot be evicted, only flushed
    await b.flush();
    expect(b.cachedBytes()).toBe(0);
    expect(a.cachedBytes()).toBe(2 * one);
    expect(budget.overBudget()).toBe(false); // b's entries turned clean and were evicted to fit
    expect(budget.usedBytes()).toBeLessThanOrEqual(4096);
    expect(b.store<Store>('kv').get('b-more-3')).toBe(value); // evicted from cache, read from the store
    await Promise.all([a.close({ clean: true }), b.close({ clean: true })]);
    expect(budget.usedBytes()).toBe(0);
  });

  it('counts every write of an uncached store until flush', async () => {
    const budget = new CacheBudget();
    const [a, b] = await twoTasks(budget, false);
    a.store<Store>('kv').put('k', 1);
    const one = a.cachedBytes();
    a.store<Store>('kv').put('k', 2);
    expect(a.cachedBytes()).toBe(2 * one);
    expect(budget.usedBytes()).toBe(2 * one);
    await a.flush();
    expect(budget.usedBytes()).toBe(0);
    await Promise.all([a.close({ clean: true }), b.close({ clean: true })]);
  });

  it('rejects a negative budget', () => {
    expect(() => new CacheBudget(-1)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
