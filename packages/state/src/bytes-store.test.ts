import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BytesStore, MemoryBytesStore } from '@tributary/core/state';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LevelDbBytesStore } from './leveldb-store.js';

const b = (s: string) => Buffer.from(s);

async function scan(store: BytesStore, from?: string, to?: string): Promise<string[]> {
  const out: string[] = [];
  const options = {
    from: from === undefined ? undefined : b(from),
    to: to === undefined ? undefined : b(to),
  };
  for await (const chunk of store.range(options)) for (const [k, v] of chunk) out.push(`${k}=${v}`);
  return out;
}

const factories: Array<[string, (dir: string) => Promise<BytesStore>]> = [
  ['memory', async () => new MemoryBytesStore('s')],
  ['leveldb', async (dir) => (await LevelDbBytesStore.open('s', join(dir, 's'))).store],
];

for (const [name, make] of factories) {
  describe(`bytes store: ${name}`, () => {
    let dir: string;
    let store: BytesStore;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tributary-bytes-'));
      store = await make(dir);
    });
    afterEach(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('applies a batch in order and counts keys exactly', async () => {
      await store.write([
        { key: b('b'), value: b('1') },
        { key: b('a'), value: b('1') },
        { key: b('b'), value: null },
        { key: b('c'), value: b('1') },
        { key: b('c'), value: b('2') },
      ]);
      expect(store.get(b('b'))).toBeUndefined();
      expect(store.get(b('c'))?.toString()).toBe('2');
      expect(store.approximateCount()).toBe(2);
      await store.write([
        { key: b('a'), value: null },
        { key: b('zz'), value: null },
      ]);
      expect(store.approximateCount()).toBe(1);
    });

    it('scans inclusive ranges in byte order, across deletes and re-inserts', async () => {
      await store.write(['d', 'a', 'c', 'b', 'e'].map((k) => ({ key: b(k), value: b(k.toUpperCase()) })));
      expect(await scan(store)).toEqual(['a=A', 'b=B', 'c=C', 'd=D', 'e=E']);
      await store.write([{ key: b('c'), value: null }]);
      await store.write([
        { key: b('c'), value: b('C2') },
        { key: b('bb'), value: b('BB') },
      ]);
      expect(await scan(store, 'b', 'd')).toEqual(['b=B', 'bb=BB', 'c=C2', 'd=D']);
      expect(await scan(store, 'bz')).toEqual(['c=C2', 'd=D', 'e=E']);
      expect(await scan(store, undefined, 'a')).toEqual(['a=A']);
    });

    it('streams large ranges in chunks', async () => {
      const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
      await store.write(keys.map((k) => ({ key: b(k), value: b('v') })));
      let chunks = 0;
      let n = 0;
      for await (const chunk of store.range()) {
        chunks++;
        n += chunk.length;
      }
      expect([n > 0 && chunks > 1, n]).toEqual([true, 2500]);
    });
  });
}

describe('LevelDB bytes store on disk', () => {
  it('counts existing keys when reopened and refuses a second open while locked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-bytes-'));
    const location = join(dir, 's');
    const first = (await LevelDbBytesStore.open('s', location)).store;
    await first.write([
      { key: b('a'), value: b('1') },
      { key: b('b'), value: b('2') },
    ]);
    await expect(LevelDbBytesStore.open('s', location)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await first.close();
    const again = await LevelDbBytesStore.open('s', location);
    expect([again.recreated, again.store.approximateCount()]).toEqual([false, 2]);
    await again.store.close();
    await rm(dir, { recursive: true, force: true });
  });
});
