package conformance;

import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Windowed;

/** Session windows: merging, grace, emit on window close, null rules. */
final class SessionScenarios {
  static List<Scenario> all() {
    return List.of(
        countUpdates(), reduce(), aggregateMerger(), graceBoundary(), outOfOrder(), emitFinal());
  }

  private static final SessionWindows GAP5_GRACE2 =
      SessionWindows.ofInactivityGapAndGrace(Duration.ofSeconds(5), Duration.ofSeconds(2));

  /** Renders windowed keys as key@start/end and null values (tombstones) as null. */
  private static <V> Topology topology(
      SessionWindows windows, Function<SessionWindowedKStream<String, String>, KTable<Windowed<String>, V>> agg) {
    StreamsBuilder b = new StreamsBuilder();
    KTable<Windowed<String>, V> t =
        agg.apply(b.<String, String>stream("in").groupByKey().windowedBy(windows));
    t.toStream()
        .map(
            (w, v) ->
                KeyValue.pair(
                    w.key() + "@" + w.window().start() + "/" + w.window().end(),
                    v == null ? null : String.valueOf(v)))
        .to("out");
    return b.build();
  }

  static Scenario countUpdates() {
    return new Scenario(
        "session-count-updates",
        "SessionWindows gap 5s grace 2s count(): updates, a record bridging two sessions merges them, null key skipped, null value counted, two keys",
        () -> topology(GAP5_GRACE2, s -> s.count(Materialized.as("counts"))),
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 3_000),
            pipe("in", "b", "x", 4_000),
            pipe("in", "a", "x", 12_000),
            pipe("in", null, "x", 12_500),
            pipe("in", "a", "x", 7_500),
            pipe("in", "a", null, 13_000),
            pipe("in", "b", "x", 9_000),
            pipe("in", "b", "x", 20_000)),
        List.of("out"));
  }

  static Scenario reduce() {
    return new Scenario(
        "session-reduce",
        "SessionWindows gap 5s grace 2s reduce(concat): merges pass the merged aggregates to the reducer",
        () ->
            topology(
                GAP5_GRACE2,
                s -> s.reduce((a, v) -> a + "+" + v, Materialized.as("reduced"))),
        List.of(
            pipe("in", "a", "p", 1_000),
            pipe("in", "a", "q", 3_000),
            pipe("in", "a", "r", 12_000),
            pipe("in", "a", "s", 7_500),
            pipe("in", "b", "t", 8_000)),
        List.of("out"));
  }

  static Scenario aggregateMerger() {
    return new Scenario(
        "session-aggregate-merger",
        "SessionWindows gap 5s grace 2s aggregate(init, agg, merger): merger joins merged sessions' aggregates",
        () ->
            topology(
                GAP5_GRACE2,
                s ->
                    s.aggregate(
                        () -> "",
                        (k, v, a) -> a + v,
                        (k, a1, a2) -> "(" + a1 + "|" + a2 + ")",
                        Materialized.as("agg"))),
        List.of(
            pipe("in", "a", "p", 1_000),
            pipe("in", "a", "q", 3_000),
            pipe("in", "a", "r", 12_000),
            pipe("in", "a", "s", 7_500),
            pipe("in", "a", "t", 30_000),
            pipe("in", "a", null, 31_000)),
        List.of("out"));
  }

  static Scenario graceBoundary() {
    return new Scenario(
        "session-grace-boundary",
        "SessionWindows gap 5s grace 2s count(): stream time 20s; a new session ending at 13s (stream time - grace - gap) is accepted, one ending at 12.999s is late",
        () -> topology(GAP5_GRACE2, s -> s.count(Materialized.as("counts"))),
        List.of(
            pipe("in", "a", "x", 20_000),
            pipe("in", "b", "x", 13_000),
            pipe("in", "c", "x", 12_999),
            pipe("in", "a", "x", 10_000),
            pipe("in", "b", "x", 12_000),
            pipe("in", "a", "x", 14_000)),
        List.of("out"));
  }

  static Scenario outOfOrder() {
    return new Scenario(
        "session-out-of-order",
        "SessionWindows gap 5s grace 10s count(): out-of-order records within grace extend and merge sessions backwards",
        () ->
            topology(
                SessionWindows.ofInactivityGapAndGrace(Duration.ofSeconds(5), Duration.ofSeconds(10)),
                s -> s.count(Materialized.as("counts"))),
        List.of(
            pipe("in", "a", "x", 10_000),
            pipe("in", "a", "x", 20_000),
            pipe("in", "a", "x", 6_000),
            pipe("in", "a", "x", 15_000),
            pipe("in", "b", "x", 2_000),
            pipe("in", "a", "x", 26_000),
            pipe("in", "b", "x", 14_000)),
        List.of("out"));
  }

  static Scenario emitFinal() {
    return new Scenario(
        "session-emit-final",
        "SessionWindows gap 5s grace 2s count() with emitStrategy(onWindowClose): one result per closed session",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>stream("in")
              .groupByKey()
              .windowedBy(GAP5_GRACE2)
              .emitStrategy(EmitStrategy.onWindowClose())
              .count(Materialized.as("counts"))
              .toStream()
              .map(
                  (w, v) ->
                      KeyValue.pair(
                          w.key() + "@" + w.window().start() + "/" + w.window().end(),
                          v == null ? null : String.valueOf(v)))
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 3_000),
            pipe("in", "b", "x", 4_000),
            pipe("in", "a", "x", 7_500),
            pipe("in", "a", "x", 12_000),
            pipe("in", "b", "x", 14_000),
            pipe("in", "a", "x", 19_500),
            pipe("in", "b", "x", 19_501),
            pipe("in", "c", "x", 30_000),
            pipe("in", "d", "x", 37_000),
            pipe("in", "d", "x", 37_001),
            pipe("in", "e", "x", 50_000),
            pipe("in", "e", "x", 40_000)),
        List.of("out"));
  }
}
