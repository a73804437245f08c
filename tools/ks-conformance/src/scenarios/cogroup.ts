import {
  type CogroupedKStream,
  type KGroupedStream,
  type KTable,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  type Windowed,
} from '@tributary/core';

/**
 * Tributary's side of CogroupScenarios.java. Windowed cogroups emit updates, as Kafka Streams'
 * windowed aggregations do by default.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

const tagged =
  (tag: string) =>
  (_k: string, v: string, agg: string): string =>
    `${agg}${tag}${v}`;

function twoInputs(b: StreamsBuilder): CogroupedKStream<string, string> {
  const g1 = b.stream<string, string>('in1', strings).groupByKey();
  const g2: KGroupedStream<string, string> = b.stream<string, string>('in2', strings).groupByKey();
  return g1.cogroup(tagged('1:')).cogroup(g2, tagged('2:'));
}

function toOut(table: KTable<string, string>): void {
  table.toStream().to('out', strings);
}

function windowedToOut(table: KTable<Windowed<string>, string>): void {
  table
    .toStream()
    .map((w, v) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: v }))
    .to('out', strings);
}

export const cogroupScenarios: Readonly<Record<string, () => Topology>> = {
  'cogroup-aggregate': () => {
    const b = new StreamsBuilder();
    toOut(twoInputs(b).aggregate(() => '', { name: 'cg' }));
    return b.build();
  },

  'cogroup-repartitioned': () => {
    const b = new StreamsBuilder();
    const g3 = b
      .stream<string, string>('in3', strings)
      .selectKey((_k, v) => v)
      .groupByKey({ keySerde: Serdes.string(), valueSerde: Serdes.string() });
    toOut(
      twoInputs(b)
        .cogroup(g3, tagged('3:'))
        .aggregate(() => '', { name: 'cg' }),
    );
    return b.build();
  },

  'cogroup-windowed': () => {
    const b = new StreamsBuilder();
    windowedToOut(
      twoInputs(b)
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
        .aggregate(() => '', { name: 'cg', emit: 'update' }),
    );
    return b.build();
  },

  'cogroup-session': () => {
    const b = new StreamsBuilder();
    windowedToOut(
      twoInputs(b)
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5_000))
        .aggregate(
          () => '',
          (_k, a1, a2) => `(${a1}|${a2})`,
          { name: 'cg', emit: 'update' },
        ),
    );
    return b.build();
  },
};
