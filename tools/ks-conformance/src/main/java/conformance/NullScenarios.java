package conformance;

import static conformance.Step.advanceWallClock;
import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * Null keys and null values at every stateful operator: which records Kafka Streams skips, which it
 * hands to the user's functions, and what it forwards. Java's string concatenation renders null as
 * "null"; windowed keys render as key@start/end. Every scenario ends with a record that proves the
 * skipped ones left no trace in the state.
 */
final class NullScenarios {
  static List<Scenario> all() {
    return List.of(
        streamCount(),
        streamReduce(),
        streamAggregate(),
        groupByNullKey(),
        tumblingCount(),
        tumblingReduce(),
        hoppingAggregate(),
        tumblingEmitFinal(),
        tableSource(),
        toTable(),
        tableFilter(),
        tableGroupBy(),
        streamTableJoin(),
        streamGlobalJoin());
  }

  private static Scenario scenario(String name, String description, Consumer<StreamsBuilder> build, List<Step> steps) {
    return scenario(name, description, build, steps, List.of("out"));
  }

  private static Scenario scenario(
      String name, String description, Consumer<StreamsBuilder> build, List<Step> steps, List<String> outs) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          build.accept(b);
          return b.build();
        },
        steps,
        outs);
  }

  private static <V> void windowedTo(KTable<Windowed<String>, V> t) {
    t.toStream()
        .map(
            (w, v) ->
                KeyValue.pair(
                    w.key() + "@" + w.window().start() + "/" + w.window().end(),
                    v == null ? null : String.valueOf(v)))
        .to("out");
  }

  /** A count table to "out", counts rendered as strings. */
  private static void countsTo(KTable<String, Long> t) {
    t.toStream().mapValues(String::valueOf).to("out");
  }

  /** a, null key, null value, a: the non-windowed steps most scenarios share. */
  private static List<Step> keyValueNulls() {
    return List.of(
        pipe("in", "a", "p", 1_000),
        pipe("in", null, "q", 2_000),
        pipe("in", "a", null, 3_000),
        pipe("in", "b", null, 3_500),
        pipe("in", "a", "r", 4_000),
        pipe("in", "b", "s", 5_000));
  }

  static Scenario streamCount() {
    return scenario(
        "null-stream-count",
        "groupByKey().count(): a null key and a null value are both skipped",
        b ->
            countsTo(
                b.<String, String>stream("in")
                    .groupByKey()
                    .count(Materialized.as("counts"))),
        keyValueNulls());
  }

  static Scenario streamReduce() {
    return scenario(
        "null-stream-reduce",
        "groupByKey().reduce(concat): a null key and a null value are both skipped, never reach the reducer",
        b ->
            b.<String, String>stream("in")
                .groupByKey()
                .reduce((a, v) -> a + "+" + v, Materialized.as("reduced"))
                .toStream()
                .to("out"),
        keyValueNulls());
  }

  static Scenario streamAggregate() {
    return scenario(
        "null-stream-aggregate",
        "groupByKey().aggregate(concat): a null key and a null value are both skipped, never reach the aggregator",
        b ->
            b.<String, String>stream("in")
                .groupByKey()
                .aggregate(() -> "", (k, v, a) -> a + "<" + v, Materialized.as("agg"))
                .toStream()
                .to("out"),
        keyValueNulls());
  }

  static Scenario groupByNullKey() {
    return scenario(
        "null-groupby-key",
        "groupBy(value as key).count(): records the selector maps to a null key are skipped after the repartition",
        b ->
            countsTo(
                b.<String, String>stream("in")
                    .groupBy((k, v) -> v.equals("none") ? null : v)
                    .count(Materialized.as("counts"))),
        List.of(
            pipe("in", "k1", "x", 1_000),
            pipe("in", "k2", "none", 2_000),
            pipe("in", "k3", "x", 3_000),
            pipe("in", null, "y", 4_000)));
  }

  private static final TimeWindows TUMBLING = TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5));

  static Scenario tumblingCount() {
    return scenario(
        "null-tumbling-count",
        "TimeWindows 10s count(): a null key is skipped, a null value is counted",
        b -> windowedTo(b.<String, String>stream("in").groupByKey().windowedBy(TUMBLING).count(Materialized.as("counts"))),
        keyValueNulls());
  }

  static Scenario tumblingReduce() {
    return scenario(
        "null-tumbling-reduce",
        "TimeWindows 10s reduce(concat): null values reach the reducer; a null first value leaves no aggregate",
        b ->
            windowedTo(
                b.<String, String>stream("in")
                    .groupByKey()
                    .windowedBy(TUMBLING)
                    .reduce((a, v) -> a + "+" + v, Materialized.as("reduced"))),
        List.of(
            pipe("in", "a", null, 1_000),
            pipe("in", "a", "p", 2_000),
            pipe("in", "a", null, 3_000),
            pipe("in", "a", "q", 4_000),
            pipe("in", null, "r", 5_000),
            pipe("in", "b", "s", 6_000),
            pipe("in", "b", null, 7_000)));
  }

  static Scenario hoppingAggregate() {
    return scenario(
        "null-hopping-aggregate",
        "TimeWindows 10s advance 5s aggregate(concat): null values reach the aggregator in every window, a null key is skipped",
        b ->
            windowedTo(
                b.<String, String>stream("in")
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)).advanceBy(Duration.ofSeconds(5)))
                    .aggregate(() -> "", (k, v, a) -> a + "<" + v, Materialized.as("agg"))),
        List.of(
            pipe("in", "a", "p", 1_000),
            pipe("in", "a", null, 6_000),
            pipe("in", null, "q", 7_000),
            pipe("in", "a", "r", 8_000)));
  }

  static Scenario tumblingEmitFinal() {
    return scenario(
        "null-tumbling-emit-final",
        "TimeWindows 10s grace 5s count() with emitStrategy(onWindowClose): null values counted, null key skipped, in the final result",
        b ->
            windowedTo(
                b.<String, String>stream("in")
                    .groupByKey()
                    .windowedBy(TUMBLING)
                    .emitStrategy(EmitStrategy.onWindowClose())
                    .count(Materialized.as("counts"))),
        List.of(
            advanceWallClock(1_000),
            pipe("in", "a", null, 1_000),
            advanceWallClock(1_000),
            pipe("in", null, "x", 2_000),
            advanceWallClock(1_000),
            pipe("in", "a", "x", 3_000),
            advanceWallClock(1_000),
            pipe("in", "z", "x", 16_000)));
  }

  /** a, a null key, a tombstone for an absent key, a tombstone, a again. */
  private static List<Step> tableSteps() {
    return List.of(
        pipe("in", "a", "p", 1_000),
        pipe("in", null, "q", 2_000),
        pipe("in", "b", null, 3_000),
        pipe("in", "a", null, 4_000),
        pipe("in", "a", "r", 5_000));
  }

  static Scenario tableSource() {
    return scenario(
        "null-table-source",
        "builder.table (materialized): a null key is skipped; a tombstone deletes, and is forwarded even for an absent key",
        b -> b.<String, String>table("in", Materialized.as("t")).toStream().to("out"),
        tableSteps());
  }

  static Scenario toTable() {
    return scenario(
        "null-to-table",
        "stream.toTable (materialized): a null key is skipped; a null value deletes, and is forwarded even for an absent key",
        b -> b.<String, String>stream("in").toTable(Materialized.as("t")).toStream().to("out"),
        tableSteps());
  }

  static Scenario tableFilter() {
    return scenario(
        "null-table-filter",
        "builder.table.filter: a row that stops matching is retracted; a tombstone for an absent key and a non-matching new key forward nothing",
        b -> b.<String, String>table("in", Materialized.as("t")).filter((k, v) -> !v.equals("drop")).toStream().to("out"),
        List.of(
            pipe("in", "a", "p", 1_000),
            pipe("in", "b", "drop", 2_000),
            pipe("in", "a", "drop", 3_000),
            pipe("in", "c", null, 4_000),
            pipe("in", "b", "q", 5_000)));
  }

  static Scenario tableGroupBy() {
    return scenario(
        "null-table-groupby",
        "table.groupBy(value as key).count(): rows mapped to a null key are neither added nor subtracted",
        b ->
            countsTo(
                b.<String, String>table("in", Materialized.as("t"))
                    .groupBy((k, v) -> KeyValue.pair(v.equals("none") ? null : v, k))
                    .count(Materialized.as("counts"))),
        List.of(
            pipe("in", "k1", "x", 1_000),
            pipe("in", "k2", "none", 2_000),
            pipe("in", "k1", "none", 3_000),
            pipe("in", "k2", "x", 4_000),
            pipe("in", "k3", "x", 5_000)));
  }

  static Scenario streamTableJoin() {
    return scenario(
        "null-stream-table-join",
        "stream join/leftJoin table: stream records with a null key or a null value, a table record with a null key",
        b -> {
          KTable<String, String> t = b.table("table", Materialized.as("t"));
          KStream<String, String> s = b.stream("in");
          s.join(t, (v, tv) -> v + "*" + tv).to("out-inner");
          s.leftJoin(t, (v, tv) -> v + "*" + tv).to("out-left");
        },
        List.of(
            pipe("table", "a", "T1", 1_000),
            pipe("table", null, "T2", 1_500),
            pipe("in", "a", "x", 2_000),
            pipe("in", "a", null, 3_000),
            pipe("in", null, "y", 4_000),
            pipe("in", "b", "z", 5_000),
            pipe("in", "b", null, 6_000)),
        List.of("out-inner", "out-left"));
  }

  static Scenario streamGlobalJoin() {
    return scenario(
        "null-stream-global-join",
        "stream join/leftJoin globalTable: a key mapper returning null, stream records with a null key or value",
        b -> {
          GlobalKTable<String, String> g = b.globalTable("global", Materialized.as("g"));
          KStream<String, String> s = b.stream("in");
          s.join(g, (k, v) -> v == null ? k : v.equals("none") ? null : v, (v, gv) -> v + "*" + gv).to("out-inner");
          s.leftJoin(g, (k, v) -> v == null ? k : v.equals("none") ? null : v, (v, gv) -> v + "*" + gv).to("out-left");
        },
        List.of(
            pipe("global", "a", "G1", 1_000),
            pipe("in", "k", "a", 2_000),
            pipe("in", "k", "none", 3_000),
            pipe("in", "a", null, 4_000),
            pipe("in", null, "a", 5_000),
            pipe("in", "k", "c", 6_000)),
        List.of("out-inner", "out-left"));
  }
}
