/**
 * Plans which instance gets which partition number. A partition number is the unit: every topic's
 * partition p goes to the same instance, so co-partitioned inputs of a task (a stream and the table
 * it joins, merged sources) and the tasks of all sub-topologies for p stay together. Balanced to
 * within one unit, and sticky: an instance keeps the units it already holds (its local state)
 * whenever balance allows.
 */
export function planStickyAssignment(
  members: readonly { id: string; owned: readonly number[] }[],
  units: readonly number[],
): Map<string, number[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, number[]>(sorted.map((m) => [m.id, []]));
  if (sorted.length === 0) return result;
  const base = Math.floor(units.length / sorted.length);
  let extraSlots = units.length % sorted.length;
  const free = new Set(units);
  const take = (id: string, u: number) => {
    (result.get(id) as number[]).push(u);
    free.delete(u);
  };

  // Keep what each member owns, up to its fair share (one more for as many members as there are extra units).
  for (const m of sorted) {
    for (const u of [...m.owned].sort((a, b) => a - b)) {
      if (!free.has(u)) continue;
      const n = (result.get(m.id) as number[]).length;
      if (n < base) take(m.id, u);
      else if (n === base && extraSlots > 0) {
        take(m.id, u);
        extraSlots -= 1;
      }
    }
  }
  // Fill members below the base first, then hand out the remaining extra units.
  for (const u of [...free].sort((a, b) => a - b)) {
    let target: string | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const m of sorted) {
      const n = (result.get(m.id) as number[]).length;
      const cap = n < base ? true : n === base && extraSlots > 0;
      if (cap && n < best) {
        best = n;
        target = m.id;
      }
    }
    if (target === undefined) break;
    if ((result.get(target) as number[]).length === base) extraSlots -= 1;
    take(target, u);
  }
  for (const list of result.values()) list.sort((a, b) => a - b);
  return result;
}
