import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { StoreQueries } from './local-stores.js';
import { producerPartition, queryFixture } from './query-fixture.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isTributaryError(err) ? err.code : 'other';
  }
}

const keys = Array.from({ length: 200 }, (_, i) => `campaign-${i}`);

describe('interactive queries on local stores', () => {
  it('metadataForKey maps every key to the partition the producer would pick', () => {
    const f = queryFixture({ partitions: 4, hosted: [0, 1], self: 'a:1' });
    f.owners.set(2, 'b:1');
    f.owners.set(3, 'b:1');
    const q = new StoreQueries(f.host);
    for (const key of keys) {
      const p = producerPartition(key, 4);
      const meta = q.metadataForKey('counts', key);
      expect(meta).toEqual({
        store: 'counts',
        partition: p,
        taskId: `0_${p}`,
        activeHost: p < 2 ? 'a:1' : 'b:1',
        local: p < 2,
      });
    }
  });

  it('get reads the hosting task; other keys fail with a typed error, never a wrong value', () => {
    const f = queryFixture({ partitions: 4, hosted: [0, 1] });
    f.restoring.add(2);
    const truth = new Map<string, number>();
    keys.forEach((key, i) => {
      const p = producerPartition(key, 4);
      const task = f.tasks.get(p);
      if (task) {
        task.counts.put(key, i);
        truth.set(key, i);
      }
    });
    const kv = new StoreQueries(f.host).store<string, number, 'key-value'>('counts', 'key-value');
    for (const key of keys) {
      const p = producerPartition(key, 4);
      if (p < 2) expect(kv.get(key)).toBe(truth.get(key));
      else expect(codeOf(() => kv.get(key))).toBe(p === 2 ? 'STORE_UNAVAILABLE' : 'KEY_NOT_HOSTED');
    }
    f.state = 'rebalancing';
    expect(codeOf(() => kv.get(keys[0] as string))).toBe('STORE_UNAVAILABLE');
  });

  it('all() spans every local task and refuses while one is restoring', async () => {
    const f = queryFixture({ partitions: 4, hosted: [1, 3] });
    const expected: [string, number][] = [];
    keys.forEach((key, i) => {
      const task = f.tasks.get(producerPartition(key, 4));
      if (task) {
        task.counts.put(key, i);
        expected.push([key, i]);
      }
    });
    const kv = new StoreQueries(f.host).store<string, number, 'key-value'>('counts', 'key-value');
    const got: [string, number][] = [];
    for await (const e of kv.all()) got.push([e.key, e.value]);
    expect(got.sort()).toEqual(expected.sort());
    expect(kv.approximateNumEntries()).toBe(expected.length);
    f.restoring.add(0);
    expect(codeOf(() => kv.all())).toBe('STORE_UNAVAILABLE');
  });

  it('window fetch: one window or a time range of one key', async () => {
    const f = queryFixture({ partitions: 1, hosted: [0] });
    const ws = f.tasks.get(0)?.perMinute;
    ws?.put('k', 3, 0);
    ws?.put('k', 5, 60_000);
    ws?.put('other', 7, 60_000);
    const store = new StoreQueries(f.host).store<string, number, 'window'>('per-minute', 'window');
    expect(store.fetch('k', 60_000)).toBe(5);
    const range = [];
    for await (const w of store.fetch('k', 0, 60_000)) range.push([w.windowStart, w.value]);
    expect(range).toEqual([
      [0, 3],
      [60_000, 5],
    ]);
  });

  it('unknown stores and wrong types are typed errors', () => {
    const q = new StoreQueries(queryFixture({ partitions: 1, hosted: [0] }).host);
    expect(codeOf(() => q.store('nope', 'key-value'))).toBe('STORE_NOT_FOUND');
    expect(codeOf(() => q.store('counts', 'window'))).toBe('STORE_WRONG_TYPE');
    expect(codeOf(() => q.store('per-minute', 'session'))).toBe('STORE_WRONG_TYPE');
  });
});
