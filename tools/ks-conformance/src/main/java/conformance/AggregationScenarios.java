package conformance;

import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;

/** Aggregations Tributary has had from the start: the harness's own baseline. */
final class AggregationScenarios {
  static List<Scenario> all() {
    return List.of(streamCount(), tumblingCountUpdates());
  }

  /** groupByKey().count() over a stream, every update forwarded. */
  static Scenario streamCount() {
    return new Scenario(
        "stream-count",
        "groupByKey().count(): one update per record, stamped with the record's timestamp",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>stream("in")
              .groupByKey()
              .count(Materialized.as("counts"))
              .toStream()
              .mapValues(String::valueOf)
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in", "a", "1", 1_000),
            pipe("in", "b", "1", 2_000),
            pipe("in", "a", "1", 1_500),
            pipe("in", "a", "1", 9_000)),
        List.of("out"));
  }

  /** Tumbling windows of 10 s, grace 5 s, every update forwarded (Kafka Streams' default emit). */
  static Scenario tumblingCountUpdates() {
    return new Scenario(
        "tumbling-count-updates",
        "windowedBy(TimeWindows.ofSizeAndGrace(10s, 5s)).count(), in-order records, updates",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>stream("in")
              .groupByKey()
              .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)))
              .count(Materialized.as("counts"))
              .toStream()
              .map((w, n) -> KeyValue.pair(w.key() + "@" + w.window().start() + "/" + w.window().end(), String.valueOf(n)))
              .to("out");
          return b.build();
        },
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 5_000),
            pipe("in", "b", "x", 9_999),
            pipe("in", "a", "x", 10_000),
            pipe("in", "a", "x", 21_000),
            // 16 s behind stream time: window [0, 10 s) closed at 15 s, so this one is late and dropped.
            pipe("in", "a", "x", 5_500)),
        List.of("out"));
  }
}
