import {
  BufferConfig,
  type KGroupedStream,
  type KTable,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
  type Windowed,
} from '@tributary/core';

/**
 * Tributary's side of SuppressScenarios.java. The windowed aggregations are built with the default
 * emit; suppress switches them to updates, as Kafka Streams' aggregations always emit.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

function windowedOut<V>(build: (g: KGroupedStream<string, string>) => KTable<Windowed<string>, V>): Topology {
  const b = new StreamsBuilder();
  build(b.stream<string, string>('in', strings).groupByKey())
    .toStream()
    .map((w, v) => ({
      key: `${w.key}@${w.window.start}/${w.window.end}`,
      value: v === null || v === undefined ? null : String(v),
    }))
    .to('out', strings);
  return b.build();
}

function tableSuppressed(suppressed: Suppressed): Topology {
  const b = new StreamsBuilder();
  b.table<string, string>('in', { name: 'tbl', ...strings })
    .suppress(suppressed)
    .toStream()
    .to('out', strings);
  return b.build();
}

const untilClose = Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final');

export const suppressScenarios: Readonly<Record<string, () => Topology>> = {
  'suppress-window-closes-tumbling': () =>
    windowedOut((g) =>
      g.windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2_000)).count({ name: 'counts' }).suppress(untilClose),
    ),

  'suppress-window-closes-hopping': () =>
    windowedOut((g) =>
      g
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000).advanceBy(5_000))
        .reduce((a, v) => `${a}+${v}`, { name: 'reduced' })
        .suppress(untilClose),
    ),

  'suppress-window-closes-session': () =>
    windowedOut((g) =>
      g
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 2_000))
        .count({ name: 'counts' })
        .suppress(untilClose),
    ),

  'suppress-window-closes-session-emitted-is-gone': () =>
    windowedOut((g) =>
      g
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5_000))
        .count({ name: 'counts' })
        .suppress(untilClose),
    ),

  'suppress-window-closes-sliding': () =>
    windowedOut((g) =>
      g
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000))
        .count({ name: 'counts' })
        .suppress(untilClose),
    ),

  'suppress-time-limit-table': () =>
    tableSuppressed(Suppressed.untilTimeLimit(5_000, BufferConfig.maxRecords(100)).withName('sup')),

  'suppress-time-limit-wall-clock': () =>
    tableSuppressed(Suppressed.untilTimeLimit(5_000, BufferConfig.unbounded()).withName('sup')),

  'suppress-time-limit-aggregate': () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings)
      .groupByKey()
      .count({ name: 'counts' })
      .suppress(Suppressed.untilTimeLimit(2_000, BufferConfig.unbounded()).withName('sup'))
      .toStream()
      .mapValues((v) => String(v))
      .to('out', strings);
    return b.build();
  },

  'suppress-time-limit-max-records': () =>
    tableSuppressed(Suppressed.untilTimeLimit(10_000, BufferConfig.maxRecords(2)).withName('sup')),

  'suppress-time-limit-max-bytes': () =>
    tableSuppressed(
      Suppressed.untilTimeLimit(10_000, BufferConfig.maxBytes(66).emitEarlyWhenFull()).withName('sup'),
    ),

  'suppress-time-limit-shut-down-when-full': () =>
    tableSuppressed(
      Suppressed.untilTimeLimit(10_000, BufferConfig.maxRecords(2).shutDownWhenFull()).withName('sup'),
    ),

  'suppress-window-closes-shut-down-when-full': () =>
    windowedOut((g) =>
      g
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
        .count({ name: 'counts' })
        .suppress(
          Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()).withName('final'),
        ),
    ),

  'suppress-time-limit-windowed': () =>
    windowedOut((g) =>
      g
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
        .count({ name: 'counts' })
        .suppress(Suppressed.untilTimeLimit(3_000, BufferConfig.unbounded()).withName('sup')),
    ),
};
