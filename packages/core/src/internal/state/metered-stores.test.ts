import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../kafka/ports.js';
import { Serdes } from '../../serde/serdes.js';
import { countingTask, kvDefinition } from '../../server/store-metrics-fixture.js';
import type { KeyValueStore } from '../../state/store.js';
import { StoreStats, TIMED_EVERY } from './metered-stores.js';
import { ObjectKeyValueStore } from './object-store.js';

describe('metered stores (Kafka Streams state-store metrics)', () => {
  it('counts every put/get/delete and times it in ns on the given clock; scans pass through', async () => {
    let now = 0;
    const stats = new StoreStats(() => now);
    // A store whose calls take a known time on the fake clock: 2 ms per put, 0.5 ms per get.
    const inner = new ObjectKeyValueStore<string, number>('counts', Serdes.string(), 't');
    const slow: KeyValueStore<string, number> = Object.assign(Object.create(inner), {
      put: (k: string, v: number) => {
        now += 2;
        inner.put(k, v);
      },
      get: (k: string) => {
        now += 0.5;
        return inner.get(k);
      },
    });
    const meters = stats.open('0_3', kvDefinition, 'in-memory');
    const kv = stats.wrap(slow, kvDefinition, meters);
    kv.put('a', 1);
    kv.put('b', 2);
    expect(kv.get('a')).toBe(1);
    expect(kv.delete('b')).toBe(2);
    const all: string[] = [];
    for await (const e of kv.all()) all.push(e.key);
    expect(all).toEqual(['a']);
    const op = (name: 'put' | 'get' | 'delete') => meters.ops.get(name);
    expect([op('put')?.count, op('get')?.count, op('delete')?.count]).toEqual([2, 1, 1]);
    expect(op('put')?.avg()).toBeCloseTo(2e6, 3);
    expect(op('get')?.max()).toBeCloseTo(0.5e6, 3);
    expect(meters).toMatchObject({ taskId: '0_3', store: 'counts', storeType: 'in-memory-state' });
    expect(stats.all()).toEqual([meters]);
    stats.dropTask('0_3');
    expect(stats.all()).toEqual([]);
  });

  it('counts every call and times one in TIMED_EVERY, the first one included', () => {
    let now = 0;
    const stats = new StoreStats(() => now);
    const inner = new ObjectKeyValueStore<string, number>('counts', Serdes.string(), 't');
    let slow = 0; // the calls that take 1 ms on the fake clock
    const store: KeyValueStore<string, number> = Object.assign(Object.create(inner), {
      get: (k: string) => {
        now += slow++ === 0 ? 1 : 0;
        return inner.get(k);
      },
    });
    const meters = stats.open('0_0', kvDefinition, 'leveldb');
    const kv = stats.wrap(store, kvDefinition, meters);
    const calls = 3 * TIMED_EVERY + 1;
    for (let i = 0; i < calls; i++) kv.get('k');
    const get = meters.ops.get('get');
    expect(get?.count).toBe(calls);
    // Timed: calls 1, 17, 33 and 49; the first took 1 ms, the others no time.
    expect(get?.max()).toBeCloseTo(1e6, 3);
    expect(get?.avg()).toBeCloseTo(1e6 / 4, 3);
  });

  it('a task built with StoreStats meters its processors’ store calls: one get and one put per counted record', async () => {
    const storeStats = new StoreStats();
    const task = await countingTask(storeStats);
    const records: RawRecord[] = ['a', 'b', 'a'].map((k, i) => ({
      topic: 'in',
      partition: 0,
      offset: BigInt(i),
      timestamp: 1_000 + i,
      key: Buffer.from(k),
      value: Buffer.from('v'),
      headers: {},
    }));
    await task.stream.process(records);
    const byStore = new Map(storeStats.all().map((m) => [m.store, m]));
    const counts = byStore.get('counts');
    expect(counts?.storeType).toBe('in-memory-state');
    expect([counts?.ops.get('get')?.count, counts?.ops.get('put')?.count]).toEqual([3, 3]);
    const perMinute = byStore.get('per-minute');
    expect(perMinute?.storeType).toBe('in-memory-window-state');
    expect([perMinute?.ops.get('fetch')?.count, perMinute?.ops.get('put')?.count]).toEqual([3, 3]);
    // Real calls take a measurable, small time.
    expect(counts?.ops.get('put')?.avg()).toBeGreaterThan(0);
    await task.stores?.close({ clean: false });
  });
});
