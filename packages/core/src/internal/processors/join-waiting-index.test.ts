import { describe, expect, it } from 'vitest';
import { JoinWaitingIndex } from './join-waiting-index.js';

const ids = (w: JoinWaitingIndex) => [...w.scan()].map(([id, v]) => `${id}=${v.map(String).join(',')}`);

describe('JoinWaitingIndex', () => {
  it('scans in byte order of the ids whatever the insertion order, without deleted ones', () => {
    const w = new JoinWaitingIndex(1 << 20);
    w.put('b', [Buffer.from('1')]);
    w.put('d', [Buffer.from('2')]);
    w.put('a', [Buffer.from('3')]); // before the head
    w.put('c', [Buffer.from('4')]); // in the middle
    w.put('\u00ff', [Buffer.from('5')]); // latin1 0xff sorts after every ASCII byte, as in the store
    w.put('b', [Buffer.from('1'), Buffer.from('6')]); // a second record under one id
    expect(ids(w)).toEqual(['a=3', 'b=1,6', 'c=4', 'd=2', '\u00ff=5']);
    w.delete('a');
    w.delete('c');
    expect(ids(w)).toEqual(['b=1,6', 'd=2', '\u00ff=5']);
    w.put('c', [Buffer.from('7')]); // back after a delete: listed once
    expect(ids(w)).toEqual(['b=1,6', 'c=7', 'd=2', '\u00ff=5']);
    expect(w.size).toBe(4);
  });

  it('stays ordered through many deletes from the front and the middle (compaction)', () => {
    const w = new JoinWaitingIndex(1 << 30);
    const id = (i: number) => String(i).padStart(6, '0');
    for (let i = 0; i < 10_000; i++) w.put(id(i), [Buffer.from('v')]);
    for (let i = 0; i < 6_000; i++) w.delete(id(i)); // an emission pass eats the oldest
    for (let i = 6_001; i < 10_000; i += 2) w.delete(id(i)); // partners found in the middle
    const left = [...w.scan()].map(([k]) => k);
    expect(left.length).toBe(2_000);
    expect(left[0]).toBe(id(6_000));
    expect(left).toEqual([...left].sort());
    expect(w.size).toBe(2_000);
  });

  it('knows when it outgrew its budget', () => {
    const w = new JoinWaitingIndex(250);
    w.put('a', [Buffer.from('x')]);
    expect(w.overBudget).toBe(false);
    w.put('b', [Buffer.from('y')]);
    expect(w.overBudget).toBe(true);
    w.delete('b');
    expect(w.overBudget).toBe(false);
  });
});
