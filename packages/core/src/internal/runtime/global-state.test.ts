import { describe, expect, it } from 'vitest';
import type { RawRecord, TopicTailer } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { silentLogger } from '../../logger.js';
import { Serdes } from '../../serde/serdes.js';
import type { KeyValueStore } from '../../state/store.js';
import { GlobalState } from './global-state.js';

type Store = KeyValueStore<string, { n: number }>;

/** A tailer that delivers the given batches at start, then whatever `push` gets, like a live topic. */
function fakeTailer(batches: RawRecord[][]) {
  let deliver: ((records: readonly RawRecord[]) => void) | undefined;
  const tailer: TopicTailer = {
    start: async (_topics, onBatch) => {
      deliver = onBatch;
      for (const b of batches) onBatch(b);
    },
    stop: async () => {},
  };
  return { tailer, push: (records: RawRecord[]) => deliver?.(records) };
}

let offset = 0n;
function raw(key: string, value: string | null): RawRecord {
  const bytes = value === null ? null : Buffer.from(value);
  return {
    topic: 'users',
    partition: 0,
    offset: offset++,
    key: Buffer.from(key),
    value: bytes,
    timestamp: 0,
    headers: {},
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('global state', () => {
  it('serves a global table through the typed store stack, reads synchronous', async () => {
    const b = new StreamsBuilder();
    b.globalTable('users', { name: 'users-store', valueSerde: Serdes.json<{ n: number }>() });
    const globals = new GlobalState(b.build(), silentLogger);
    const { tailer, push } = fakeTailer([
      [raw('b', '{"n":2}'), raw('a', '{"n":1}'), raw('bad', 'not json')],
      [raw('c', '{"n":3}'), raw('ab', '{"n":4}'), raw('c', null)],
    ]);
    await globals.start(tailer);
    const store = globals.store('users-store') as Store;
    expect(store.get('a')).toEqual({ n: 1 });
    expect(store.get('c')).toBeUndefined();
    expect(globals.errors).toBe(1);
    expect(store.approximateNumEntries()).toBe(3);
    expect((await collect(store.all())).map((e) => e.key)).toEqual(['a', 'ab', 'b']);
    expect((await collect(store.range('ab', 'b'))).map((e) => e.key)).toEqual(['ab', 'b']);
    expect((await collect(store.prefixScan('a', Serdes.string()))).map((e) => e.key)).toEqual(['a', 'ab']);

    push([raw('a', '{"n":5}'), raw('b', null)]);
    expect(store.get('a')).toEqual({ n: 5 }); // visible at once, before the flush to the bytes store
    await globals.stop();
    expect((await collect(store.all())).map((e) => [e.key, e.value.n])).toEqual([
      ['a', 5],
      ['ab', 4],
    ]);
    expect(globals.store('missing')).toBeUndefined();
  });
});
