import { Serdes, type TaskStores, type WindowedEntry, type WindowStore } from '@tributary/core';
import { windowKeyCodec } from '@tributary/core/state';
import { InMemoryChangelog } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BackendFactory,
  type BackendFixture,
  byteOrder,
  collect,
  openTask,
  windowDefinition,
} from './harness.js';

type Store = WindowStore<string, unknown>;
const MIN = 60_000;
const RETENTION = 3 * MIN;

function entries(list: Array<[string, number, unknown]>): WindowedEntry<string, unknown>[] {
  return list.map(([key, windowStart, value]) => ({ key, windowStart, value }));
}

/** The window store contract, through the full stack. */
export function windowContract(factory: BackendFactory, caching: boolean): void {
  describe(`window store contract: ${factory.name}, caching ${caching ? 'on' : 'off'}`, () => {
    let fixture: BackendFixture;
    let changelog: InMemoryChangelog;
    let task: TaskStores;
    let store: Store;

    beforeEach(async () => {
      fixture = await factory.make();
      changelog = new InMemoryChangelog();
      task = await openTask(fixture, changelog, [windowDefinition('win', caching, RETENTION)]);
      store = task.store<Store>('win');
    });

    afterEach(async () => {
      await task.close({ clean: true });
      await fixture.cleanup();
    });

    it('fetches one window; undefined deletes it', async () => {
      store.put('a', 1, 0);
      store.put('a', 2, MIN);
      await task.flush();
      expect([store.fetch('a', 0), store.fetch('a', MIN), store.fetch('a', 2 * MIN)]).toEqual([
        1,
        2,
        undefined,
      ]);
      store.put('a', undefined, 0);
      expect(store.fetch('a', 0)).toBeUndefined();
      await task.flush();
      expect(store.fetch('a', 0)).toBeUndefined();
      expect(store.fetch('a', MIN)).toBe(2);
    });

    it('fetchRange is inclusive, in window-start order, and never includes other keys', async () => {
      for (const ws of [3 * MIN, 0, 2 * MIN]) store.put('a', ws, ws);
      await task.flush();
      store.put('a', MIN, MIN);
      store.put('ab', 'other', MIN);
      store.put('a\u0000', 'other', MIN);
      store.put('', 'other', MIN);
      expect(await collect(store.fetchRange('a', MIN, 2 * MIN))).toEqual(
        entries([
          ['a', MIN, MIN],
          ['a', 2 * MIN, 2 * MIN],
        ]),
      );
      expect(await collect(store.fetchRange('a', MIN + 1, 3 * MIN - 1))).toEqual(
        entries([['a', 2 * MIN, 2 * MIN]]),
      );
      expect((await collect(store.fetchRange('a', 0, 10 * MIN))).map((e) => e.windowStart)).toEqual([
        0,
        MIN,
        2 * MIN,
        3 * MIN,
      ]);
      expect(await collect(store.fetchRange('a', 2 * MIN, MIN))).toEqual([]);
    });

    it('fetchAll orders by key bytes then window start, with keys that prefix each other', async () => {
      const keys = ['b', 'a', 'ab', 'a\u0000', 'a\u0000\u0000', '', 'aa', '\u0000'];
      const written: Array<[string, number, unknown]> = [];
      for (const k of keys) {
        for (const ws of [2 * MIN, 0, MIN]) {
          store.put(k, `${k}@${ws}`, ws);
          written.push([k, ws, `${k}@${ws}`]);
        }
      }
      await task.flush();
      store.put('a', 'a@late', 4 * MIN); // unflushed, merged into the scan
      written.push(['a', 4 * MIN, 'a@late']);
      const sorted = [...written].sort(([k1, w1], [k2, w2]) => byteOrder(k1, k2) || w1 - w2);
      expect(await collect(store.all())).toEqual(entries(sorted));
      expect(await collect(store.fetchAll(MIN, 2 * MIN))).toEqual(
        entries(sorted.filter(([, ws]) => ws >= MIN && ws <= 2 * MIN)),
      );
    });

    it('handles negative and zero window starts in time order', async () => {
      const starts = [1, -1, 0, -2 * MIN, -MIN, 2 ** 40, -(2 ** 40)];
      for (const ws of starts) store.put('k', ws, ws);
      const sorted = [...starts].sort((x, y) => x - y);
      expect((await collect(store.fetchRange('k', -(2 ** 50), 2 ** 50))).map((e) => e.windowStart)).toEqual(
        sorted,
      );
      await task.flush();
      expect((await collect(store.fetchRange('k', -MIN, 0))).map((e) => e.value)).toEqual([-MIN, -1, 0]);
      expect(store.fetch('k', -MIN)).toBe(-MIN);
    });

    it('logs the full binary window key', async () => {
      store.put('k', 'v', -5);
      const [record] = await task.flush();
      expect(record?.key.equals(windowKeyCodec.encode(Buffer.from('k'), -5))).toBe(true);
      expect(Serdes.msgpack().deserialize(record?.value ?? null)).toBe('v');
    });

    it('expires windows with windowStart + retention <= stream time, locally only', async () => {
      for (const ws of [0, MIN, 2 * MIN]) store.put('a', ws, ws);
      store.put('b', 'b0', 0);
      await task.flush();
      store.put('c', 'c1', MIN); // unflushed and about to expire: must never reach the changelog
      store.put('c', 'c3', 3 * MIN);
      await task.expire(MIN + RETENTION - 1); // only window 0 is due
      expect((await collect(store.all())).map((e) => `${e.key}@${e.windowStart}`)).toEqual([
        'a@60000',
        'a@120000',
        'c@60000',
        'c@180000',
      ]);
      await task.expire(MIN + RETENTION);
      expect(store.fetch('a', MIN)).toBeUndefined();
      expect(store.fetch('c', MIN)).toBeUndefined();
      expect((await collect(store.all())).map((e) => `${e.key}@${e.windowStart}`)).toEqual([
        'a@120000',
        'c@180000',
      ]);
      const records = await task.flush();
      // No tombstones for expired windows, and the expired unflushed write is gone.
      expect(
        records.map((r) => [windowKeyCodec.key(r.key).toString(), windowKeyCodec.windowStart(r.key)]),
      ).toEqual([['c', 3 * MIN]]);
    });
  });
}
