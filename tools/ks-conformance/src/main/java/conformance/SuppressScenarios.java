package conformance;

import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.Suppressed.BufferConfig;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;

/** KTable.suppress: untilWindowCloses and untilTimeLimit, buffer limits, tombstones, timestamps. */
final class SuppressScenarios {
  static List<Scenario> all() {
    return List.of(
        windowClosesTumbling(),
        windowClosesHopping(),
        windowClosesSession(),
        windowClosesSessionEmittedIsGone(),
        windowClosesSliding(),
        timeLimitTable(),
        timeLimitWallClock(),
        timeLimitAggregate(),
        timeLimitEmitEarlyRecords(),
        timeLimitEmitEarlyBytes(),
        timeLimitShutDownWhenFull(),
        windowClosesShutDownWhenFull(),
        timeLimitWindowed());
  }

  /** Suppress buffers serialize windowed keys: the windowed store needs explicit serdes. */
  private static Materialized<String, Long, WindowStore<Bytes, byte[]>> windowCounts(String name) {
    return Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(name)
        .withKeySerde(Serdes.String())
        .withValueSerde(Serdes.Long());
  }

  private static Materialized<String, Long, SessionStore<Bytes, byte[]>> sessionCounts(String name) {
    return Materialized.<String, Long, SessionStore<Bytes, byte[]>>as(name)
        .withKeySerde(Serdes.String())
        .withValueSerde(Serdes.Long());
  }

  private static String render(Windowed<String> w) {
    return w.key() + "@" + w.window().start() + "/" + w.window().end();
  }

  /** Windowed table to "out": keys as key@start/end, values via String.valueOf, tombstones as null. */
  private static <V> Topology windowedOut(StreamsBuilder b, KTable<Windowed<String>, V> t) {
    t.toStream()
        .map((w, v) -> KeyValue.pair(render(w), v == null ? null : String.valueOf(v)))
        .to("out");
    return b.build();
  }

  static Scenario windowClosesTumbling() {
    return new Scenario(
        "suppress-window-closes-tumbling",
        "TimeWindows 10s grace 2s count().suppress(untilWindowCloses(unbounded())): one result per window once stream time reaches end + grace; out-of-order in grace counted, late dropped",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(2)))
                  .count(windowCounts("counts"))
                  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName("final")));
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 9_999),
            pipe("in", "b", "x", 4_000),
            pipe("in", "a", "x", 3_000),
            pipe("in", "a", "x", 11_000),
            pipe("in", "b", "x", 8_000),
            pipe("in", "c", "x", 11_999),
            pipe("in", "a", "x", 12_000),
            pipe("in", "c", "x", 5_000),
            pipe("in", "b", "x", 15_000),
            pipe("in", "a", "x", 21_999),
            pipe("in", "a", "x", 22_000),
            pipe("in", "d", "x", 40_000)),
        List.of("out"));
  }

  static Scenario windowClosesHopping() {
    return new Scenario(
        "suppress-window-closes-hopping",
        "TimeWindows 10s advance 5s no grace reduce(concat).suppress(untilWindowCloses(unbounded())): each hopping window emitted once",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)).advanceBy(Duration.ofSeconds(5)))
                  .reduce(
                      (a, v) -> a + "+" + v,
                      Materialized.<String, String, WindowStore<Bytes, byte[]>>as("reduced")
                          .withKeySerde(Serdes.String())
                          .withValueSerde(Serdes.String()))
                  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName("final")));
        },
        List.of(
            pipe("in", "a", "p", 100_000),
            pipe("in", "a", "q", 104_000),
            pipe("in", "a", "r", 111_000),
            pipe("in", "b", "s", 109_999),
            pipe("in", "a", "t", 125_000)),
        List.of("out"));
  }

  static Scenario windowClosesSession() {
    return new Scenario(
        "suppress-window-closes-session",
        "SessionWindows gap 5s grace 2s count().suppress(untilWindowCloses(unbounded())): merge tombstones are dropped; a session emitted at end + grace can still merge afterwards",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofSeconds(5), Duration.ofSeconds(2)))
                  .count(sessionCounts("counts"))
                  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName("final")));
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 3_000),
            pipe("in", "b", "x", 4_999),
            pipe("in", "b", "x", 5_000),
            pipe("in", "a", "x", 7_000),
            pipe("in", "c", "x", 8_000),
            pipe("in", "b", "x", 6_000),
            pipe("in", "c", "x", 20_000),
            pipe("in", "a", "x", 14_000),
            pipe("in", "d", "x", 40_000)),
        List.of("out"));
  }

  static Scenario windowClosesSessionEmittedIsGone() {
    return new Scenario(
        "suppress-window-closes-session-emitted-is-gone",
        "SessionWindows gap 5s no grace count().suppress(untilWindowCloses): a session emitted when stream time reaches end + gap is no longer found by the store, so a later on-time record of the key starts a new session",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofSeconds(5)))
                  .count(sessionCounts("counts"))
                  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName("final")));
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "b", "x", 6_000),
            pipe("in", "a", "x", 5_999),
            pipe("in", "c", "x", 20_000)),
        List.of("out"));
  }

  /** A table from "in", suppressed, to "out"; tombstones as null. */
  private static Topology tableSuppressed(Suppressed<Object> suppressed) {
    StreamsBuilder b = new StreamsBuilder();
    b.<String, String>table("in", Materialized.as("tbl")).suppress(suppressed).toStream().to("out");
    return b.build();
  }

  static Scenario windowClosesSliding() {
    return new Scenario(
        "suppress-window-closes-sliding",
        "SlidingWindows diff 10s no grace count().suppress(untilWindowCloses(unbounded())): the window-kinds example of docs/time-and-windows.md, closed by a record at 125s",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(10)))
                  .count(windowCounts("counts"))
                  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName("final")));
        },
        List.of(
            pipe("in", "a", "x", 100_000),
            pipe("in", "a", "x", 104_000),
            pipe("in", "a", "x", 111_000),
            pipe("in", "z", "x", 125_000)),
        List.of("out"));
  }

  static Scenario timeLimitTable() {
    return new Scenario(
        "suppress-time-limit-table",
        "table.suppress(untilTimeLimit(5s, maxRecords(100))): latest value per key once stream time reaches its first buffered time + 5s; updates keep the first time; tombstones pass; out-of-order records",
        () ->
            tableSuppressed(
                Suppressed.untilTimeLimit(Duration.ofSeconds(5), BufferConfig.maxRecords(100)).withName("sup")),
        List.of(
            pipe("in", "a", "a1", 1_000),
            pipe("in", "b", "b1", 2_000),
            pipe("in", "a", "a2", 4_000),
            pipe("in", "c", "c1", 5_999),
            pipe("in", "d", "d1", 6_000),
            pipe("in", "a", null, 6_500),
            pipe("in", "e", "e1", 7_000),
            pipe("in", "x", "x1", 3_000),
            pipe("in", "f", "f1", 8_000),
            pipe("in", "b", "b2", 8_500),
            pipe("in", "b", null, 9_000),
            pipe("in", "g", "g1", 20_000)),
        List.of("out"));
  }

  static Scenario timeLimitWallClock() {
    return new Scenario(
        "suppress-time-limit-wall-clock",
        "table.suppress(untilTimeLimit(5s, unbounded())): wall-clock time does not emit, only stream time does",
        () -> tableSuppressed(Suppressed.untilTimeLimit(Duration.ofSeconds(5), BufferConfig.unbounded()).withName("sup")),
        List.of(
            pipe("in", "a", "a1", 1_000),
            Step.advanceWallClock(60_000),
            pipe("in", "b", "b1", 5_999),
            Step.advanceWallClock(60_000),
            pipe("in", "c", "c1", 6_000),
            Step.advanceWallClock(60_000)),
        List.of("out"));
  }

  static Scenario timeLimitAggregate() {
    return new Scenario(
        "suppress-time-limit-aggregate",
        "groupByKey().count().suppress(untilTimeLimit(2s, unbounded())): rate-limited counts, timestamps of emitted records",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>stream("in")
              .groupByKey()
              .count(Materialized.as("counts"))
              .suppress(Suppressed.untilTimeLimit(Duration.ofSeconds(2), BufferConfig.unbounded()).withName("sup"))
              .toStream()
              .mapValues(v -> String.valueOf(v))
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 1_500),
            pipe("in", "b", "x", 2_000),
            pipe("in", "a", "x", 2_999),
            pipe("in", "a", "x", 3_000),
            pipe("in", "b", "x", 3_500),
            pipe("in", "a", "x", 4_000),
            pipe("in", "c", "x", 10_000)),
        List.of("out"));
  }

  static Scenario timeLimitEmitEarlyRecords() {
    return new Scenario(
        "suppress-time-limit-max-records",
        "table.suppress(untilTimeLimit(10s, maxRecords(2))): when full the entries with the oldest buffered time are emitted early (emitEarlyWhenFull is the default)",
        () ->
            tableSuppressed(
                Suppressed.untilTimeLimit(Duration.ofSeconds(10), BufferConfig.maxRecords(2)).withName("sup")),
        List.of(
            pipe("in", "a", "a1", 1_000),
            pipe("in", "b", "b1", 2_000),
            pipe("in", "c", "c1", 500),
            pipe("in", "a", "a2", 3_000),
            pipe("in", "d", "d1", 4_000),
            pipe("in", "d", "d2", 4_500),
            pipe("in", "e", "e1", 2_000),
            pipe("in", "f", "f1", 2_000),
            pipe("in", "g", "g1", 30_000)),
        List.of("out"));
  }

  static Scenario timeLimitEmitEarlyBytes() {
    return new Scenario(
        "suppress-time-limit-max-bytes",
        "table.suppress(untilTimeLimit(10s, maxBytes(66).emitEarlyWhenFull())): the buffer's byte estimate (key, prior/old/new values, record context) decides early emission: two new keys fit exactly (66 bytes), an update counts its old value too; no later record flushes the rest",
        () ->
            tableSuppressed(
                Suppressed.untilTimeLimit(Duration.ofSeconds(10), BufferConfig.maxBytes(66).emitEarlyWhenFull())
                    .withName("sup")),
        List.of(
            pipe("in", "a", "v1", 1_000),
            pipe("in", "b", "v1", 2_000),
            pipe("in", "a", "v2", 3_000),
            pipe("in", "a", "v3", 4_000),
            pipe("in", "c", "v1", 5_000)),
        List.of("out"));
  }

  static Scenario timeLimitShutDownWhenFull() {
    return new Scenario(
        "suppress-time-limit-shut-down-when-full",
        "table.suppress(untilTimeLimit(10s, maxRecords(2).shutDownWhenFull())): the third buffered key fails the task",
        () ->
            tableSuppressed(
                Suppressed.untilTimeLimit(Duration.ofSeconds(10), BufferConfig.maxRecords(2).shutDownWhenFull())
                    .withName("sup")),
        List.of(
            pipe("in", "a", "a1", 1_000),
            pipe("in", "b", "b1", 2_000),
            pipe("in", "a", "a2", 3_000),
            pipe("in", "c", "c1", 11_000),
            pipe("in", "d", "d1", 11_500),
            pipe("in", "e", "e1", 11_600),
            pipe("in", "f", "f1", 11_700)),
        List.of("out"));
  }

  static Scenario windowClosesShutDownWhenFull() {
    return new Scenario(
        "suppress-window-closes-shut-down-when-full",
        "count().suppress(untilWindowCloses(maxRecords(1).shutDownWhenFull())): a second open window fails the task",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)))
                  .count(windowCounts("counts"))
                  .suppress(
                      Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()).withName("final")));
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 2_000),
            pipe("in", "a", "x", 10_000),
            pipe("in", "b", "x", 12_000),
            pipe("in", "b", "x", 25_000)),
        List.of("out"));
  }

  static Scenario timeLimitWindowed() {
    return new Scenario(
        "suppress-time-limit-windowed",
        "TimeWindows 10s no grace count().suppress(untilTimeLimit(3s, unbounded())): windowed updates rate-limited by record time",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          return windowedOut(
              b,
              b.<String, String>stream("in")
                  .groupByKey()
                  .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)))
                  .count(windowCounts("counts"))
                  .suppress(Suppressed.untilTimeLimit(Duration.ofSeconds(3), BufferConfig.unbounded()).withName("sup")));
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 2_000),
            pipe("in", "a", "x", 4_000),
            pipe("in", "a", "x", 9_000),
            pipe("in", "a", "x", 12_500),
            pipe("in", "b", "x", 20_000)),
        List.of("out"));
  }
}
