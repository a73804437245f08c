import { changelogTopicName, type KeyValueStore, Serdes, type TaskStores } from '@tributary/core';
import { InMemoryChangelog } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APP,
  type BackendFactory,
  type BackendFixture,
  byteOrder,
  collect,
  kvDefinition,
  openTask,
  PARTITION,
} from './harness.js';

type Store = KeyValueStore<string, unknown>;

/** The key-value store contract, through the full stack (typed > caching or pending > logging > bytes). */
export function keyValueContract(factory: BackendFactory, caching: boolean): void {
  describe(`key-value store contract: ${factory.name}, caching ${caching ? 'on' : 'off'}`, () => {
    let fixture: BackendFixture;
    let changelog: InMemoryChangelog;
    let task: TaskStores;
    let store: Store;

    beforeEach(async () => {
      fixture = await factory.make();
      changelog = new InMemoryChangelog();
      task = await openTask(fixture, changelog, [kvDefinition('kv', caching)]);
      store = task.store<Store>('kv');
    });

    afterEach(async () => {
      await task.close({ clean: true });
      await fixture.cleanup();
    });

    it('gets what was put, before and after flush', async () => {
      expect(store.get('a')).toBeUndefined();
      store.put('a', { n: 1 });
      store.put('b', [1, 'x']);
      expect(store.get('a')).toEqual({ n: 1 });
      await task.flush();
      expect(store.get('a')).toEqual({ n: 1 });
      expect(store.get('b')).toEqual([1, 'x']);
      store.put('a', { n: 2 });
      expect(store.get('a')).toEqual({ n: 2 });
      await task.flush();
      expect(store.get('a')).toEqual({ n: 2 });
    });

    it('putAll writes every entry', async () => {
      store.putAll([
        { key: 'x', value: 1 },
        { key: 'y', value: 2 },
      ]);
      expect([store.get('x'), store.get('y')]).toEqual([1, 2]);
    });

    it('delete returns the previous value and hides the key, flushed or not', async () => {
      store.put('a', 'one');
      await task.flush();
      store.put('b', 'two');
      expect(store.delete('a')).toBe('one');
      expect(store.delete('b')).toBe('two');
      expect(store.delete('missing')).toBeUndefined();
      expect(store.get('a')).toBeUndefined();
      expect(store.get('b')).toBeUndefined();
      await task.flush();
      expect(store.get('a')).toBeUndefined();
      expect(await collect(store.all())).toEqual([]);
    });

    it('range is inclusive on both ends, in serialized byte order, merging unflushed writes', async () => {
      const keys = ['a', 'aa', 'ab', 'b', 'é', 'z', 'b\u0000', 'c', 'd'];
      for (const k of keys.slice(0, 5)) store.put(k, k);
      await task.flush();
      for (const k of keys.slice(5)) store.put(k, k);
      store.delete('ab'); // flushed key deleted in the cache only
      store.put('aa', 'AA'); // flushed key overwritten in the cache only
      const model = new Map(keys.filter((k) => k !== 'ab').map((k) => [k, k === 'aa' ? 'AA' : k]));
      const expected = [...model]
        .filter(([k]) => byteOrder(k, 'aa') >= 0 && byteOrder(k, 'z') <= 0)
        .sort(([x], [y]) => byteOrder(x, y))
        .map(([key, value]) => ({ key, value }));
      expect(await collect(store.range('aa', 'z'))).toEqual(expected);
      // 'z' (0x7a) sorts before 'é' (0xc3 0xa9) in bytes although not in every collation.
      expect((await collect(store.range('y', '\u00ff'))).map((e) => e.key)).toEqual(['z', 'é']);
      expect(await collect(store.range('c', 'b'))).toEqual([]);
    });

    it('prefixScan returns exactly the keys that start with the serialized prefix', async () => {
      for (const k of ['use', 'user:1', 'user;', 'usera', 'user:2']) store.put(k, k.length);
      await task.flush();
      store.put('user:0', 0);
      store.delete('user:2');
      const got = await collect(store.prefixScan('user:', Serdes.string()));
      expect(got).toEqual([
        { key: 'user:0', value: 0 },
        { key: 'user:1', value: 6 },
      ]);
    });

    it('all lists every live entry in byte order', async () => {
      const model = new Map<string, number>();
      for (let i = 0; i < 50; i++) {
        const k = `k${(i * 37) % 23}`;
        store.put(k, i);
        model.set(k, i);
        if (i % 7 === 0) await task.flush();
        if (i % 11 === 0) {
          store.delete(k);
          model.delete(k);
        }
      }
      const expected = [...model].sort(([a], [b]) => byteOrder(a, b)).map(([key, value]) => ({ key, value }));
      expect(await collect(store.all())).toEqual(expected);
      await task.flush();
      expect(await collect(store.all())).toEqual(expected);
    });

    it('approximateNumEntries counts live keys across cache and backend', async () => {
      for (const k of ['a', 'b', 'c']) store.put(k, 1);
      expect(store.approximateNumEntries()).toBe(3);
      await task.flush();
      expect(store.approximateNumEntries()).toBe(3);
      store.put('a', 2); // overwrite: no new key
      store.put('d', 1);
      store.delete('b');
      store.delete('nope');
      expect(store.approximateNumEntries()).toBe(3);
      await task.flush();
      expect(store.approximateNumEntries()).toBe(3);
    });

    it(`flush returns ${caching ? 'the last write per key' : 'every write in order'}, deletes as tombstones`, async () => {
      store.put('a', 1);
      store.put('a', 2);
      store.put('b', 1);
      store.delete('b');
      store.put('c', 3);
      const records = await task.flush();
      const topic = changelogTopicName(APP, 'kv');
      expect(records.every((r) => r.topic === topic && r.partition === PARTITION)).toBe(true);
      const decoded = records.map((r) => [
        r.key.toString(),
        r.value === null ? null : Serdes.msgpack().deserialize(r.value),
      ]);
      const expected = caching
        ? [
            ['a', 2],
            ['b', null],
            ['c', 3],
          ]
        : [
            ['a', 1],
            ['a', 2],
            ['b', 1],
            ['b', null],
            ['c', 3],
          ];
      expect(caching ? decoded.sort() : decoded).toEqual(expected);
      expect(await task.flush()).toEqual([]);
    });

    it('cachedBytes is positive with unflushed writes and zero after flush', async () => {
      expect(task.cachedBytes()).toBe(0);
      store.put('a', 'x'.repeat(100));
      expect(task.cachedBytes()).toBeGreaterThan(100);
      await task.flush();
      expect(task.cachedBytes()).toBe(0);
    });

    it('matches a model under random operations with interleaved flushes', async () => {
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const model = new Map<string, number>();
      for (let i = 0; i < 400; i++) {
        const k = `key-${rand(40)}`;
        const op = rand(10);
        if (op < 6) {
          store.put(k, i);
          model.set(k, i);
        } else if (op < 8) {
          expect(store.delete(k)).toBe(model.get(k));
          model.delete(k);
        } else {
          expect(store.get(k)).toBe(model.get(k));
        }
        if (rand(25) === 0) await task.flush();
      }
      const expected = [...model].sort(([a], [b]) => byteOrder(a, b)).map(([key, value]) => ({ key, value }));
      expect(await collect(store.all())).toEqual(expected);
      expect(store.approximateNumEntries()).toBe(model.size);
    });

    it('rejects unknown stores and use after close', async () => {
      expect(() => task.store('nope')).toThrow(expect.objectContaining({ code: 'STORE_NOT_FOUND' }));
      await task.close({ clean: true });
      expect(() => store.get('a')).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
      expect(() => task.store('kv')).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    });
  });
}
