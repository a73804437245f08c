import {
  type KGroupedStream,
  Serdes,
  StreamsBuilder,
  type Topology,
  type WindowedKTable,
} from '@tributary/core';

/**
 * The windowed scenarios' shared shape, as their Java `topology` helpers: String records from `in`,
 * grouped by key and aggregated, results on `out` with windowed keys rendered as `key@start/end` and
 * null values (tombstones) as null.
 */
export function windowedTopology<V>(
  aggregate: (g: KGroupedStream<string, string>) => WindowedKTable<string, V>,
): Topology {
  const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
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
