import {
  type KeyValue,
  type KTable,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  type WindowedKTable,
} from '@tributary/core';

/**
 * Tributary's side of NullScenarios.java: the same topologies under the same names. Java's string
 * concatenation renders null as "null", so the functions here do too; windowed keys render as
 * `key@start/end`.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
const tumbling = TimeWindows.ofSizeAndGrace(10_000, 5_000);
const str = (v: unknown): string => (v === undefined || v === null ? 'null' : String(v));

function build(define: (b: StreamsBuilder) => void): Topology {
  const b = new StreamsBuilder();
  define(b);
  return b.build();
}

/** A count table to "out", counts rendered as strings (keys are strings, or null ones that get skipped). */
function countsTo<K extends string | null>(define: (b: StreamsBuilder) => KTable<K, number>): Topology {
  return build((b) =>
    (define(b) as unknown as KTable<string, number>)
      .toStream()
      .mapValues((n) => String(n))
      .to('out', strings),
  );
}

function windowedTo<V>(t: WindowedKTable<string, V>): void {
  t.toStream()
    .map((w, v) => ({
      key: `${w.key}@${w.window.start}/${w.window.end}`,
      value: v === null || v === undefined ? null : String(v),
    }))
    .to('out', strings);
}

const input = (b: StreamsBuilder) => b.stream<string, string>('in', strings);

export const nullScenarios: Readonly<Record<string, () => Topology>> = {
  'null-stream-count': () => countsTo((b) => input(b).groupByKey().count({ name: 'counts' })),

  'null-stream-reduce': () =>
    build((b) =>
      input(b)
        .groupByKey()
        .reduce((a, v) => `${a}+${v}`, { name: 'reduced' })
        .toStream()
        .to('out', strings),
    ),

  'null-stream-aggregate': () =>
    build((b) =>
      input(b)
        .groupByKey()
        .aggregate(
          () => '',
          (_k, v, a) => `${a}<${str(v)}`,
          { name: 'agg' },
        )
        .toStream()
        .to('out', strings),
    ),

  'null-groupby-key': () =>
    countsTo((b) =>
      input(b)
        .groupBy((_k, v) => (v === 'none' ? null : v), {
          keySerde: Serdes.string(),
          valueSerde: Serdes.string(),
        })
        .count({ name: 'counts' }),
    ),

  'null-tumbling-count': () =>
    build((b) =>
      windowedTo(input(b).groupByKey().windowedBy(tumbling).count({ name: 'counts', emit: 'update' })),
    ),

  'null-tumbling-reduce': () =>
    build((b) =>
      windowedTo(
        input(b)
          .groupByKey()
          .windowedBy(tumbling)
          .reduce((a, v) => `${str(a)}+${str(v)}`, { name: 'reduced', emit: 'update' }),
      ),
    ),

  'null-hopping-aggregate': () =>
    build((b) =>
      windowedTo(
        input(b)
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000).advanceBy(5_000))
          .aggregate(
            () => '',
            (_k, v, a) => `${a}<${str(v)}`,
            { name: 'agg', emit: 'update' },
          ),
      ),
    ),

  'null-tumbling-emit-final': () =>
    build((b) =>
      windowedTo(input(b).groupByKey().windowedBy(tumbling).count({ name: 'counts', emit: 'final' })),
    ),

  'null-table-source': () =>
    build((b) =>
      b
        .table<string, string>('in', { ...strings, name: 't' })
        .toStream()
        .to('out', strings),
    ),

  'null-to-table': () =>
    build((b) =>
      input(b)
        .toTable({ name: 't', ...strings })
        .toStream()
        .to('out', strings),
    ),

  'null-table-filter': () =>
    build((b) =>
      b
        .table<string, string>('in', { ...strings, name: 't' })
        .filter((_k, v) => v !== 'drop')
        .toStream()
        .to('out', strings),
    ),

  'null-table-groupby': () =>
    countsTo((b) =>
      b
        .table<string, string>('in', { ...strings, name: 't' })
        .groupBy((k, v): KeyValue<string | null, string> => ({ key: v === 'none' ? null : v, value: k }), {
          keySerde: Serdes.string(),
          valueSerde: Serdes.string(),
        })
        .count({ name: 'counts' }),
    ),

  'null-stream-table-join': () =>
    build((b) => {
      const t = b.table<string, string>('table', { ...strings, name: 't' });
      const s = input(b);
      s.join(t, (v, tv) => `${str(v)}*${str(tv)}`).to('out-inner', strings);
      s.leftJoin(t, (v, tv) => `${str(v)}*${str(tv)}`).to('out-left', strings);
    }),

  'null-stream-global-join': () =>
    build((b) => {
      const g = b.globalTable<string | null, string>('global', { ...strings, name: 'g' });
      const s = input(b);
      const mapper = (k: string, v: string) => (v === null ? k : v === 'none' ? null : v);
      s.joinGlobal(g, mapper, (v, gv) => `${str(v)}*${str(gv)}`).to('out-inner', strings);
      s.leftJoinGlobal(g, mapper, (v, gv) => `${str(v)}*${str(gv)}`).to('out-left', strings);
    }),
};
