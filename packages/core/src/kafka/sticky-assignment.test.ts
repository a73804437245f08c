import { describe, expect, it } from 'vitest';
import { planStickyAssignment } from './sticky-assignment.js';

const units = (n: number) => Array.from({ length: n }, (_, i) => i);
const sizes = (m: Map<string, number[]>) => [...m.values()].map((l) => l.length).sort();
const all = (m: Map<string, number[]>) => [...m.values()].flat().sort((a, b) => a - b);

describe('planStickyAssignment', () => {
  it('assigns every unit exactly once, balanced to within one', () => {
    for (const [members, n] of [
      [1, 6],
      [3, 6],
      [4, 6],
      [3, 7],
      [5, 3],
    ] as const) {
      const plan = planStickyAssignment(
        Array.from({ length: members }, (_, i) => ({ id: `m${i}`, owned: [] })),
        units(n),
      );
      expect(all(plan)).toEqual(units(n));
      const s = sizes(plan);
      expect((s.at(-1) as number) - (s[0] as number)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps owned units when an instance joins, moving only what balance needs', () => {
    const before = planStickyAssignment(
      [
        { id: 'a', owned: [] },
        { id: 'b', owned: [] },
      ],
      units(6),
    );
    expect(sizes(before)).toEqual([3, 3]);
    const after = planStickyAssignment(
      [
        { id: 'a', owned: before.get('a') ?? [] },
        { id: 'b', owned: before.get('b') ?? [] },
        { id: 'c', owned: [] },
      ],
      units(6),
    );
    expect(sizes(after)).toEqual([2, 2, 2]);
    for (const id of ['a', 'b']) {
      for (const u of after.get(id) ?? []) expect(before.get(id)).toContain(u);
    }
    expect(all(after)).toEqual(units(6));
  });

  it("gives a leaving instance's units to the others and keeps the rest in place", () => {
    const plan = planStickyAssignment(
      [
        { id: 'a', owned: [0, 1] },
        { id: 'c', owned: [4, 5] },
      ],
      units(6),
    );
    expect(plan.get('a')?.slice(0, 2)).toEqual([0, 1]);
    expect(plan.get('c')).toEqual(expect.arrayContaining([4, 5]));
    expect(all(plan)).toEqual(units(6));
    expect(sizes(plan)).toEqual([3, 3]);
  });

  it('resolves two claims on one unit without duplicating it', () => {
    const plan = planStickyAssignment(
      [
        { id: 'a', owned: [0, 1, 2] },
        { id: 'b', owned: [0, 1, 2] },
      ],
      units(4),
    );
    expect(all(plan)).toEqual(units(4));
    expect(sizes(plan)).toEqual([2, 2]);
  });
});
