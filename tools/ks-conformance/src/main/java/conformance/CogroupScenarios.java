package conformance;

import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;

/** cogroup: several grouped streams into one aggregate, plain, time-windowed and session-windowed. */
final class CogroupScenarios {
  static List<Scenario> all() {
    return List.of(aggregate(), repartitioned(), windowed(), session());
  }

  /** Each input's aggregator tags the value with its stream, so the output shows who added what. */
  private static Aggregator<String, String, String> tagged(String tag) {
    return (k, v, agg) -> agg + tag + v;
  }

  private static CogroupedKStream<String, String> twoInputs(StreamsBuilder b) {
    KGroupedStream<String, String> g1 = b.<String, String>stream("in1").groupByKey();
    KGroupedStream<String, String> g2 = b.<String, String>stream("in2").groupByKey();
    return g1.cogroup(tagged("1:")).cogroup(g2, tagged("2:"));
  }

  static Scenario aggregate() {
    return new Scenario(
        "cogroup-aggregate",
        "in1, in2 groupByKey().cogroup(...).aggregate(\"\"): one store, one update per record from either stream; null keys and values skipped",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          twoInputs(b).aggregate(() -> "", Materialized.as("cg")).toStream().to("out");
          return b.build();
        },
        List.of(
            pipe("in1", "a", "x", 1_000),
            pipe("in2", "a", "y", 2_000),
            pipe("in2", "b", "z", 1_500),
            pipe("in1", "a", "w", 2_500),
            pipe("in1", null, "n", 3_000),
            pipe("in2", "a", null, 3_500),
            pipe("in1", "b", "v", 4_000)),
        List.of("out"));
  }

  static Scenario repartitioned() {
    return new Scenario(
        "cogroup-repartitioned",
        "three streams cogrouped, one re-keyed with selectKey (repartitioned before the aggregate)",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KGroupedStream<String, String> g3 =
              b.<String, String>stream("in3").selectKey((k, v) -> v).groupByKey();
          twoInputs(b)
              .cogroup(g3, tagged("3:"))
              .aggregate(() -> "", Materialized.as("cg"))
              .toStream()
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in1", "a", "x", 1_000),
            pipe("in3", "k1", "a", 2_000),
            pipe("in2", "b", "y", 3_000),
            pipe("in3", "k2", "b", 4_000)),
        List.of("out"));
  }

  static Scenario windowed() {
    return new Scenario(
        "cogroup-windowed",
        "cogroup(...).windowedBy(TimeWindows 10s grace 0).aggregate(): updates per window from both streams; late records dropped; null values aggregated, null keys skipped",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          twoInputs(b)
              .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)))
              .aggregate(
                  () -> "",
                  Materialized.<String, String, WindowStore<Bytes, byte[]>>as("cg")
                      .withKeySerde(Serdes.String())
                      .withValueSerde(Serdes.String()))
              .toStream()
              .map((w, v) -> KeyValue.pair(w.key() + "@" + w.window().start() + "/" + w.window().end(), v))
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in1", "a", "x", 1_000),
            pipe("in2", "a", "y", 2_000),
            pipe("in1", "a", "w", 9_000),
            pipe("in2", "b", "q", 12_000),
            pipe("in2", "a", "z", 25_000),
            pipe("in2", "b", "late", 14_000),
            pipe("in1", "b", "r", 27_000),
            pipe("in1", null, "n", 26_000),
            pipe("in2", "a", null, 26_500)),
        List.of("out"));
  }

  static Scenario session() {
    return new Scenario(
        "cogroup-session",
        "cogroup(...).windowedBy(SessionWindows gap 5s grace 0).aggregate(init, merger): sessions merge across streams",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          twoInputs(b)
              .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofSeconds(5)))
              .aggregate(
                  () -> "",
                  (k, a1, a2) -> "(" + a1 + "|" + a2 + ")",
                  Materialized.<String, String, SessionStore<Bytes, byte[]>>as("cg")
                      .withKeySerde(Serdes.String())
                      .withValueSerde(Serdes.String()))
              .toStream()
              .map(
                  (w, v) ->
                      KeyValue.pair(w.key() + "@" + w.window().start() + "/" + w.window().end(), v))
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in1", "a", "x", 1_000),
            pipe("in2", "a", "y", 8_000),
            pipe("in2", "a", "z", 4_000),
            pipe("in1", "b", "p", 20_000),
            pipe("in2", "a", "late", 2_000)),
        List.of("out"));
  }
}
