import { type KTable, Serdes, StreamsBuilder, type Topology } from '@tributary/core';

/**
 * Tributary's side of TableJoinScenarios.java: the same topologies under the same names. Tables
 * "left" and "right"; the joiner renders "left+right" with a missing side as "null", as Java's string
 * concatenation does.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
type T = KTable<string, string>;

const joiner = (l: string | undefined, r: string | undefined): string => `${l ?? 'null'}+${r ?? 'null'}`;

function tables(b: StreamsBuilder): [T, T] {
  return [
    b.table<string, string>('left', { ...strings, name: 'left-store' }),
    b.table<string, string>('right', { ...strings, name: 'right-store' }),
  ];
}

function threeJoins(): Topology {
  const b = new StreamsBuilder();
  const [l, r] = tables(b);
  l.join(r, joiner, { name: 'ji' }).toStream().to('inner', strings);
  l.leftJoin(r, joiner, { name: 'jl' }).toStream().to('left-out', strings);
  l.outerJoin(r, joiner, { name: 'jo' }).toStream().to('outer', strings);
  return b.build();
}

/** The join result grouped under one key "all": the aggregate shows each old value subtracted and new value added. */
function trace(joined: T, store: string, topic: string): void {
  joined
    .groupBy((k, v) => ({ key: 'all', value: `${k}=${v}` }), strings)
    .aggregate(
      () => '',
      (_k, v, agg) => `${agg}+[${v}]`,
      (_k, v, agg) => `${agg}-[${v}]`,
      { name: store, valueSerde: Serdes.string() },
    )
    .toStream()
    .to(topic, strings);
}

function threeJoinsDownstream(): Topology {
  const b = new StreamsBuilder();
  const [l, r] = tables(b);
  trace(l.join(r, joiner, { name: 'ji' }), 'agg-inner', 'inner');
  trace(l.leftJoin(r, joiner, { name: 'jl' }), 'agg-left', 'left-out');
  trace(l.outerJoin(r, joiner, { name: 'jo' }), 'agg-outer', 'outer');
  return b.build();
}

export const tableJoinScenarios: Readonly<Record<string, () => Topology>> = {
  'tjoin-updates': threeJoins,
  'tjoin-deletes': threeJoins,
  'tjoin-unknown-tombstones': threeJoins,
  'tjoin-null-keys': threeJoins,
  'tjoin-deletes-downstream': threeJoinsDownstream,
  'tjoin-unknown-tombstones-downstream': threeJoinsDownstream,
  'tjoin-after-filter': () => {
    const b = new StreamsBuilder();
    const [left, r] = tables(b);
    const l = left.filter((_k, v) => !v.startsWith('x'));
    l.join(r, joiner, { name: 'ji' }).toStream().to('inner', strings);
    l.leftJoin(r, joiner, { name: 'jl' }).toStream().to('left-out', strings);
    return b.build();
  },
  'table-source-tombstones': () => {
    const b = new StreamsBuilder();
    b.table<string, string>('left', { ...strings, name: 'left-store' })
      .toStream()
      .to('out', strings);
    return b.build();
  },
};
