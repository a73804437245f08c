import { type Change, change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { KeyValueStore } from '../../state/store.js';
import type { ValueGetter, ValueGetterFactory } from './join.js';
import { countSkipped, isNullish } from './skipped-records.js';

export type TableJoinKind = 'inner' | 'left' | 'outer';
export type TableJoinSide = 'left' | 'right';

/**
 * The timestamp of each side's current row, per key: `[left, right]`, null where that side has no
 * row. Kafka Streams keeps a timestamp next to every table value and stamps a join result with the
 * larger of the two; Tributary's table stores hold values only, so the join remembers the timestamps
 * of the updates it saw, which are exactly the ones that wrote the rows its value getters read.
 */
export type RowTimestamps = [number | null, number | null];

export interface TableTableJoinSpec<K, VL, VR, VOut> {
  readonly side: TableJoinSide;
  readonly kind: TableJoinKind;
  /** Reads the other side's current value. */
  readonly other: ValueGetterFactory<K, unknown>;
  readonly timestampStore: string;
  readonly joiner: (value: VL | undefined, otherValue: VR | undefined, key: K) => VOut;
}

/**
 * Does a result row exist for this side's value `mine` and the other side's value `theirs`? Inner:
 * both; left: the left one; outer: either.
 */
export function resultExists(
  kind: TableJoinKind,
  side: TableJoinSide,
  mine: boolean,
  theirs: boolean,
): boolean {
  if (kind === 'inner') return mine && theirs;
  if (kind === 'outer') return mine || theirs;
  return side === 'left' ? mine : theirs;
}

/**
 * One side of a KTable-KTable join (Kafka Streams' KTableKTableInnerJoin, -LeftJoin, -RightJoin and
 * -OuterJoin): each update of this side looks up the other side's row and forwards the result's
 * change, old and new value computed against the same other row. What is forwarded, as measured
 * against Kafka Streams 4.1.1 (fixtures `tjoin-*`):
 *
 * - nothing when the result cannot exist whatever this side holds (inner: the other row is
 *   missing; the right side of a left join: the left row is missing);
 * - nothing when the other row is missing and this update carries neither an old nor a new value
 *   (a tombstone for a key neither side holds);
 * - otherwise the change, even when both values are absent: an inner join forwards a tombstone for
 *   every tombstone of this side while the other row exists, including repeated ones and ones for a
 *   key this side never held.
 *
 * The result carries the larger of the two rows' timestamps, or this update's when the other row is
 * missing.
 */
export class TableTableJoinProcessor<K, VL, VR, VOut>
  implements Processor<K, Change<unknown>, K, Change<VOut>>
{
  private ctx!: ProcessorContext<K, Change<VOut>>;
  private other!: ValueGetter<K, unknown>;
  private timestamps!: KeyValueStore<K, RowTimestamps>;
  private readonly mine: 0 | 1;

  constructor(private readonly spec: TableTableJoinSpec<K, VL, VR, VOut>) {
    this.mine = spec.side === 'left' ? 0 : 1;
  }

  init(ctx: ProcessorContext<K, Change<VOut>>): void {
    this.ctx = ctx;
    this.other = this.spec.other(ctx as ProcessorContext);
    this.timestamps = ctx.getStateStore<KeyValueStore<K, RowTimestamps>>(this.spec.timestampStore);
  }

  process(record: StreamRecord<K, Change<unknown>>): void {
    const { key } = record;
    if (isNullish(key)) {
      // A null key cannot address a row on the other side (Kafka Streams drops and counts these).
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    const { newValue, oldValue } = record.value;
    const stamps = this.remember(key, newValue === undefined ? null : record.timestamp);
    const theirs = this.other(key);
    const { kind, side } = this.spec;
    const theirsExists = theirs !== undefined;
    if (kind === 'inner' || (kind === 'left' && side === 'right')) {
      if (!theirsExists) return;
    } else if (!theirsExists && newValue === undefined && oldValue === undefined) {
      return;
    }
    const result = (mine: unknown): VOut | undefined =>
      resultExists(kind, side, mine !== undefined, theirsExists) ? this.join(key, mine, theirs) : undefined;
    const theirTimestamp = this.mine === 0 ? stamps[1] : stamps[0];
    const timestamp =
      theirsExists && theirTimestamp !== null ? Math.max(record.timestamp, theirTimestamp) : record.timestamp;
    this.ctx.forward({ ...record, timestamp, value: change(result(newValue), result(oldValue)) });
  }

  private join(key: K, mine: unknown, theirs: unknown): VOut {
    return this.spec.side === 'left'
      ? this.spec.joiner(mine as VL | undefined, theirs as VR | undefined, key)
      : this.spec.joiner(theirs as VL | undefined, mine as VR | undefined, key);
  }

  /** Records this side's row timestamp (null: no row); returns both sides' timestamps. */
  private remember(key: K, timestamp: number | null): RowTimestamps {
    const stamps: RowTimestamps = [...(this.timestamps.get(key) ?? [null, null])] as RowTimestamps;
    if (stamps[this.mine] === timestamp) return stamps;
    stamps[this.mine] = timestamp;
    if (stamps[0] === null && stamps[1] === null) this.timestamps.delete(key);
    else this.timestamps.put(key, stamps);
    return stamps;
  }
}

/** The joined table's value for a key, read from both sides' getters (for downstream joins and lookups). */
export function joinedValueGetter<K, VL, VR, VOut>(
  kind: TableJoinKind,
  left: ValueGetterFactory<K, VL>,
  right: ValueGetterFactory<K, VR>,
  joiner: (value: VL | undefined, otherValue: VR | undefined, key: K) => VOut,
): ValueGetterFactory<K, VOut> {
  return (ctx) => {
    const l = left(ctx);
    const r = right(ctx);
    return (key) => {
      const lv = l(key);
      const rv = kind === 'left' && lv === undefined ? undefined : r(key);
      return resultExists(kind, 'left', lv !== undefined, rv !== undefined) ? joiner(lv, rv, key) : undefined;
    };
  };
}
