import { Serdes, StreamsBuilder, TimeWindows, type Topology } from '@tributary/core';

/** Tributary's side of ResultTimestampScenarios.java: windowed counts rendered as `key@start/end`. */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

function count(windows: TimeWindows, emit: 'final' | 'update'): () => Topology {
  return () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings)
      .groupByKey()
      .windowedBy(windows)
      .count({ name: 'counts', emit })
      .toStream()
      .map((w, n) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: String(n) }))
      .to('out', strings);
    return b.build();
  };
}

const tumbling = TimeWindows.ofSizeAndGrace(10_000, 5_000);

export const resultTimestampScenarios: Readonly<Record<string, () => Topology>> = {
  'result-ts-tumbling-updates': count(tumbling, 'update'),
  'result-ts-hopping-updates': count(TimeWindows.ofSizeAndGrace(10_000, 5_000).advanceBy(5_000), 'update'),
  'result-ts-tumbling-final': count(tumbling, 'final'),
};
