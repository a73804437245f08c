import { Serdes, StreamsBuilder, TimeWindows, type Topology } from '@tributary/core';

/**
 * Tributary's side of AggregationScenarios.java: the same topology under the
 * same name, String keys and values on every topic. A fixture without an entry here fails the test.
 */
export const aggregationScenarios: Readonly<Record<string, () => Topology>> = {
  'stream-count': () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .mapValues((n) => String(n))
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    return b.build();
  },

  'tumbling-count-updates': () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 5_000))
      .count({ name: 'counts', emit: 'update' })
      .toStream()
      .map((w, n) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: String(n) }))
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    return b.build();
  },
};
