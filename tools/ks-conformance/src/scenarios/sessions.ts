import {
  type KGroupedStream,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  type Topology,
  type WindowedKTable,
} from '@tributary/core';

/**
 * Tributary's side of SessionScenarios.java: the same topologies under the same names, windowed keys
 * rendered as `key@start/end`, tombstones as null.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
const gap5Grace2 = SessionWindows.ofInactivityGapAndGrace(5_000, 2_000);

function topology<V>(aggregate: (g: KGroupedStream<string, string>) => WindowedKTable<string, V>): Topology {
  const b = new StreamsBuilder();
  aggregate(b.stream<string, string>('in', strings).groupByKey())
    .toStream()
    .map((w, v) => ({
      key: `${w.key}@${w.window.start}/${w.window.end}`,
      value: v === null || v === undefined ? null : String(v),
    }))
    .to('out', strings);
  return b.build();
}

export const sessionScenarios: Readonly<Record<string, () => Topology>> = {
  'session-count-updates': () =>
    topology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'update' })),

  'session-reduce': () =>
    topology((g) =>
      g.windowedBy(gap5Grace2).reduce((a, v) => `${a}+${v}`, { name: 'reduced', emit: 'update' }),
    ),

  'session-aggregate-merger': () =>
    topology((g) =>
      g.windowedBy(gap5Grace2).aggregate(
        () => '',
        (_k, v, a) => `${a}${v}`,
        (_k, a1, a2) => `(${a1}|${a2})`,
        { name: 'agg', emit: 'update' },
      ),
    ),

  'session-grace-boundary': () =>
    topology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'update' })),

  'session-out-of-order': () =>
    topology((g) =>
      g
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 10_000))
        .count({ name: 'counts', emit: 'update' }),
    ),

  'session-emit-final': () =>
    topology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'final' })),
};
