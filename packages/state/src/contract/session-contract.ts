import {
  Serdes,
  type SessionEntry,
  type SessionStore,
  type StoreDefinition,
  type TaskStores,
} from '@tributary/core';
import { InMemoryChangelog } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendFactory, type BackendFixture, collect, commit, openTask } from './harness.js';

type Store = SessionStore<string, unknown>;
const RETENTION = 10_000;

function sessionDefinition(name: string, caching: boolean): StoreDefinition<string, unknown> {
  return {
    name,
    kind: 'session',
    keySerde: Serdes.string(),
    valueSerde: Serdes.msgpack(),
    logging: true,
    caching,
    retentionMs: RETENTION,
  };
}

function sessions(list: Array<[string, number, number, unknown]>): SessionEntry<string, unknown>[] {
  return list.map(([key, start, end, value]) => ({ key, start, end, value }));
}

/** The session store contract, through the full stack (Kafka's AbstractSessionBytesStoreTest, in part). */
export function sessionContract(factory: BackendFactory, caching: boolean): void {
  describe(`session store contract: ${factory.name}, caching ${caching ? 'on' : 'off'}`, () => {
    let fixture: BackendFixture;
    let changelog: InMemoryChangelog;
    let task: TaskStores;
    let store: Store;

    beforeEach(async () => {
      fixture = await factory.make();
      changelog = new InMemoryChangelog();
      task = await openTask(fixture, changelog, [sessionDefinition('sess', caching)]);
      store = task.store<Store>('sess');
    });

    afterEach(async () => {
      await task.close({ clean: true });
      await fixture.cleanup();
    });

    it('puts, fetches and removes one session', async () => {
      store.put('a', 0, 1_000, 1);
      store.put('a', 2_000, 3_000, 2);
      await task.flush();
      expect(store.fetchSession('a', 0, 1_000)).toBe(1);
      expect(store.fetchSession('a', 0, 3_000)).toBeUndefined();
      store.remove('a', 0, 1_000);
      expect(store.fetchSession('a', 0, 1_000)).toBeUndefined();
      await task.flush();
      expect(await collect(store.fetch('a'))).toEqual(sessions([['a', 2_000, 3_000, 2]]));
    });

    it('findSessions: end >= earliestEnd and start <= latestStart, ordered by end then start, one key only', async () => {
      store.put('a', 0, 1_000, 'x');
      store.put('a', 1_500, 2_000, 'y');
      store.put('a', 5_000, 6_000, 'z');
      store.put('ab', 1_000, 2_000, 'other');
      store.put('', 1_000, 2_000, 'empty');
      await task.flush();
      store.put('a', 1_200, 2_000, 'w');
      expect(await collect(store.findSessions('a', 1_000, 5_000))).toEqual(
        sessions([
          ['a', 0, 1_000, 'x'],
          ['a', 1_200, 2_000, 'w'],
          ['a', 1_500, 2_000, 'y'],
          ['a', 5_000, 6_000, 'z'],
        ]),
      );
      expect(await collect(store.findSessions('a', 1_001, 4_999))).toEqual(
        sessions([
          ['a', 1_200, 2_000, 'w'],
          ['a', 1_500, 2_000, 'y'],
        ]),
      );
      expect((await collect(store.all())).map((s) => s.key)).toEqual(['', 'a', 'a', 'a', 'a', 'ab']);
    });

    it('hides sessions that ended retention or more before the latest end, as Kafka Streams', async () => {
      store.put('a', 0, 1_000, 'old');
      store.put('a', 5_000, 11_000, 'new');
      expect(await collect(store.findSessions('a', 0, 20_000))).toEqual(
        sessions([['a', 5_000, 11_000, 'new']]),
      );
      store.put('b', 0, 1_000, 'edge');
      expect(await collect(store.findSessions('b', 0, 20_000))).toEqual([]);
    });

    it('is changelogged and restored into a fresh task', async () => {
      store.put('a', 0, 1_000, 1);
      store.put('a', 2_000, 3_000, 2);
      await commit(task, changelog);
      store.remove('a', 0, 1_000);
      await commit(task, changelog);
      await task.close({ clean: true });
      await fixture.cleanup();
      fixture = await factory.make();
      task = await openTask(fixture, changelog, [sessionDefinition('sess', caching)]);
      store = task.store<Store>('sess');
      expect(await collect(store.all())).toEqual(sessions([['a', 2_000, 3_000, 2]]));
    });
  });
}
