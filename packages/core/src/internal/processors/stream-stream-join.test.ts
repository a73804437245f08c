import { describe, expect, it } from 'vitest';
import type { ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import { Serdes } from '../../serde/serdes.js';
import type { WindowedEntry, WindowStore } from '../../state/store.js';
import { type JoinSide, JoinTimeTrackers } from './stream-join-tracker.js';
import { StreamStreamJoinProcessor } from './stream-stream-join.js';

/** A window store over a Map that counts its range reads (the reads the index is there to avoid). */
class CountingWindowStore implements WindowStore<string, Buffer[]> {
  readonly rows = new Map<string, { key: string; windowStart: number; value: Buffer[] }>();
  rangeReads = 0;
  constructor(readonly name: string) {}
  put(key: string, value: Buffer[] | undefined, windowStart: number): void {
    if (value === undefined) this.rows.delete(`${key}@${windowStart}`);
    else this.rows.set(`${key}@${windowStart}`, { key, windowStart, value });
  }
  fetch(key: string, windowStart: number): Buffer[] | undefined {
    return this.rows.get(`${key}@${windowStart}`)?.value;
  }
  async *fetchRange(key: string, from: number, to: number): AsyncIterable<WindowedEntry<string, Buffer[]>> {
    this.rangeReads += 1;
    const hits = [...this.rows.values()].filter(
      (r) => r.key === key && r.windowStart >= from && r.windowStart <= to,
    );
    yield* hits.sort((a, b) => a.windowStart - b.windowStart);
  }
  fetchAll(): AsyncIterable<WindowedEntry<string, Buffer[]>> {
    return this.all();
  }
  async *all(): AsyncIterable<WindowedEntry<string, Buffer[]>> {
    yield* this.rows.values();
  }
}

/** The shared outer store of a left join, over a Map; counts its scans. */
class CountingKeyValueStore {
  readonly rows = new Map<string, Buffer[]>();
  scans = 0;
  constructor(readonly name: string) {}
  get(key: Buffer): Buffer[] | undefined {
    return this.rows.get(key.toString('latin1'));
  }
  put(key: Buffer, value: Buffer[]): void {
    this.rows.set(key.toString('latin1'), value);
  }
  delete(key: Buffer): Buffer[] | undefined {
    const v = this.get(key);
    this.rows.delete(key.toString('latin1'));
    return v;
  }
  async *all(): AsyncIterable<{ key: Buffer; value: Buffer[] }> {
    this.scans += 1;
    const keys = [...this.rows.keys()].sort();
    for (const k of keys) {
      const value = this.rows.get(k);
      if (value) yield { key: Buffer.from(k, 'latin1'), value };
    }
  }
}

function harness(indexMaxBytes: number, kind: 'inner' | 'left' = 'inner') {
  const outerStore = new CountingKeyValueStore('o');
  const stores: Record<JoinSide, CountingWindowStore> = {
    left: new CountingWindowStore('l'),
    right: new CountingWindowStore('r'),
  };
  const out: string[] = [];
  let streamTime = -1;
  const ctx = {
    applicationId: 'app',
    eventTime: 'stream-time',
    forward: (r: StreamRecord<string, string>) => out.push(`${r.key}:${r.value}@${r.timestamp}`),
    getStateStore: (name: string) => (name === 'l' ? stores.left : name === 'r' ? stores.right : outerStore),
    currentStreamTime: () => streamTime,
    currentSystemTime: () => 0,
    schedule: () => ({ cancel() {} }),
  } as unknown as ProcessorContext<string, string>;
  const trackers = new JoinTimeTrackers();
  const side = (s: JoinSide) =>
    new StreamStreamJoinProcessor<string, string, string, string>({
      side: s,
      windows: { beforeMs: 100, afterMs: 100, graceMs: 0 },
      stores: { left: 'l', right: 'r' },
      storeRetentionMs: 86_400_000,
      indexMaxBytes,
      outerStore: kind === 'left' ? 'o' : undefined,
      outer: kind === 'left' && s === 'left',
      keySerde: Serdes.string(),
      valueSerdes: { left: Serdes.string(), right: Serdes.string() },
      joiner: (l, r) => `${l ?? 'null'}+${r ?? 'null'}`,
      trackers,
      emitIntervalMs: 0,
    });
  const procs = { left: side('left'), right: side('right') };
  return {
    stores,
    outerStore,
    out,
    async init() {
      await procs.left.init(ctx);
      await procs.right.init(ctx);
    },
    /** Pipes one record as the task does: sets stream time, calls process, awaits only a promise. */
    async pipe(s: JoinSide, key: string, value: string, timestamp: number): Promise<boolean> {
      if (timestamp > streamTime) streamTime = timestamp;
      const r = procs[s].process({ key, value, timestamp, headers: {} });
      if (r) await r;
      return r !== undefined;
    },
  };
}

const input: [JoinSide, string, string, number][] = [
  ['left', 'a', 'L1', 1_000],
  ['right', 'a', 'R1', 1_050],
  ['right', 'b', 'R2', 1_060],
  ['left', 'a', 'L2', 1_100],
  ['left', 'b', 'L3', 1_150],
  ['right', 'a', 'R3', 1_160],
];
const expected = ['a:L1+R1@1050', 'a:L2+R1@1100', 'b:L3+R2@1150', 'a:L2+R3@1160'];

describe('StreamStreamJoinProcessor lookups', () => {
  it('joins from its in-memory index synchronously: no promise, no range read of the store', async () => {
    const h = harness(1 << 20);
    await h.init();
    const asyncRecords = [];
    for (const [s, k, v, ts] of input) asyncRecords.push(await h.pipe(s, k, v, ts));
    expect(h.out).toEqual(expected);
    expect(asyncRecords.every((a) => !a)).toBe(true);
    expect(h.stores.left.rangeReads + h.stores.right.rangeReads).toBe(0);
    // The store still holds every buffered record, as the bytes of the side's value serde.
    expect(h.stores.left.fetch('a', 1_100)?.map(String)).toEqual(['L2']);
  });

  it('reads the store where the index holds nothing, with the same results', async () => {
    const h = harness(0);
    await h.init();
    const asyncRecords = [];
    for (const [s, k, v, ts] of input) asyncRecords.push(await h.pipe(s, k, v, ts));
    expect(h.out).toEqual(expected);
    expect(asyncRecords.filter((a) => a).length).toBeGreaterThan(0);
    expect(h.stores.left.rangeReads + h.stores.right.rangeReads).toBeGreaterThan(0);
  });

  it('rebuilds the index from a restored store at init, then joins without store reads', async () => {
    const first = harness(1 << 20);
    await first.init();
    await first.pipe('left', 'a', 'L1', 1_000);
    const second = harness(1 << 20);
    second.stores.left.rows.clear();
    for (const [id, row] of first.stores.left.rows) second.stores.left.rows.set(id, row);
    await second.init();
    expect(await second.pipe('right', 'a', 'R1', 1_050)).toBe(false);
    expect(second.out).toEqual(['a:L1+R1@1050']);
    expect(second.stores.left.rangeReads).toBe(0);
  });

  it('left join: partners, and unmatched records at window close, all synchronous over the in-memory copies', async () => {
    const leftInput: [JoinSide, string, string, number][] = [
      ['left', 'a', 'L1', 1_000], // waits
      ['left', 'b', 'L2', 1_010], // waits, then joins R1
      ['right', 'b', 'R1', 1_050],
      ['left', 'c', 'L3', 1_150], // no partner yet: waits
      ['left', 'd', 'L4', 1_101 + 100], // stream time 1201 > 1000 + 100 + 0: L1 comes out alone
      ['right', 'z', 'R2', 1_400], // passes L3 and L4: they come out alone, oldest first
    ];
    const expectedLeft = ['b:L2+R1@1050', 'a:L1+null@1000', 'c:L3+null@1150', 'd:L4+null@1201'];
    const fast = harness(1 << 20, 'left');
    await fast.init();
    const asyncRecords = [];
    for (const [s, k, v, ts] of leftInput) asyncRecords.push(await fast.pipe(s, k, v, ts));
    expect(fast.out).toEqual(expectedLeft);
    expect(asyncRecords.every((a) => !a)).toBe(true);
    expect(fast.outerStore.scans).toBe(1); // the copy is built from it at init, never scanned again
    expect(fast.outerStore.rows.size).toBe(0); // every waiting record left the store once emitted
    const slow = harness(0, 'left');
    await slow.init();
    for (const [s, k, v, ts] of leftInput) await slow.pipe(s, k, v, ts);
    expect(slow.out).toEqual(expectedLeft);
    expect(slow.outerStore.scans).toBeGreaterThan(1);
  });
});
