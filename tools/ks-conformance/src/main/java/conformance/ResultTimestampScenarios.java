package conformance;

import static conformance.Step.advanceWallClock;
import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The timestamps of windowed aggregation results: updates and on-close final results, with records
 * out of order inside their window; and the order of several windows that close at once. On-close
 * scenarios advance the wall clock 1 s before each record: Kafka Streams checks for closed windows at
 * most once per second of wall-clock time (an internal config), also in its TopologyTestDriver.
 */
final class ResultTimestampScenarios {
  static List<Scenario> all() {
    return List.of(tumblingUpdates(), hoppingUpdates(), tumblingFinal());
  }

  private static Scenario scenario(String name, String description, boolean emitFinal, TimeWindows w, List<Step> steps) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          TimeWindowedKStream<String, String> s = b.<String, String>stream("in").groupByKey().windowedBy(w);
          if (emitFinal) s = s.emitStrategy(EmitStrategy.onWindowClose());
          s.count(Materialized.as("counts"))
              .toStream()
              .map((k, n) -> KeyValue.pair(k.key() + "@" + k.window().start() + "/" + k.window().end(), String.valueOf(n)))
              .to("out");
          return b.build();
        },
        steps,
        List.of("out"));
  }

  private static final TimeWindows TUMBLING = TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5));

  static Scenario tumblingUpdates() {
    return scenario(
        "result-ts-tumbling-updates",
        "TimeWindows 10s count() updates: an out-of-order record's update carries the window's largest timestamp so far",
        false,
        TUMBLING,
        List.of(
            pipe("in", "a", "x", 5_000),
            pipe("in", "a", "x", 2_000),
            pipe("in", "a", "x", 7_000),
            pipe("in", "a", "x", 12_000),
            pipe("in", "a", "x", 6_000),
            pipe("in", "a", "x", 11_000)));
  }

  static Scenario hoppingUpdates() {
    return scenario(
        "result-ts-hopping-updates",
        "TimeWindows 10s advance 5s count() updates: each window keeps its own largest timestamp",
        false,
        TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)).advanceBy(Duration.ofSeconds(5)),
        List.of(
            pipe("in", "a", "x", 9_000),
            pipe("in", "a", "x", 4_000),
            pipe("in", "a", "x", 6_000)));
  }

  static Scenario tumblingFinal() {
    return scenario(
        "result-ts-tumbling-final",
        "TimeWindows 10s grace 5s count() onWindowClose: final results carry each window's largest timestamp; windows closing together come in store order",
        true,
        TUMBLING,
        List.of(
            advanceWallClock(1_000),
            pipe("in", "b", "x", 3_000),
            advanceWallClock(1_000),
            pipe("in", "a", "x", 8_000),
            advanceWallClock(1_000),
            pipe("in", "a", "x", 4_000),
            advanceWallClock(1_000),
            pipe("in", "c", "x", 12_000),
            advanceWallClock(1_000),
            pipe("in", "b", "x", 9_000),
            advanceWallClock(1_000),
            pipe("in", "c", "x", 14_000),
            advanceWallClock(1_000),
            pipe("in", "z", "x", 15_000),
            advanceWallClock(1_000),
            pipe("in", "z", "x", 26_000)));
  }
}
