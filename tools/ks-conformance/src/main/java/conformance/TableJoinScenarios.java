package conformance;

import static conformance.Step.pipe;

import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * KTable-KTable joins (inner, left, outer) on the primary key: updates on either side, deletes,
 * tombstones of keys that never existed or never joined, result timestamps and null keys. Inputs are
 * the tables "left" and "right"; each topology writes the inner, left and outer join of the same two
 * tables to "inner", "left-out" and "outer" (toStream). The joiner renders "left+right" with a missing
 * side as "null". The "-downstream" scenarios put a groupBy aggregation after each join, which makes
 * Kafka Streams send old values through the join, and record every subtraction and addition.
 */
final class TableJoinScenarios {
  static List<Scenario> all() {
    return List.of(
        updates(),
        deletes(),
        unknownTombstones(),
        nullKeys(),
        deletesDownstream(),
        unknownTombstonesDownstream(),
        afterFilter(),
        tableSourceTombstones());
  }

  private static final ValueJoiner<String, String, String> JOINER = (l, r) -> l + "+" + r;

  private static final List<String> OUTS = List.of("inner", "left-out", "outer");

  private static Scenario threeJoins(String name, String description, List<Step> steps) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KTable<String, String> l = b.table("left");
          KTable<String, String> r = b.table("right");
          l.join(r, JOINER, Named.as("ji")).toStream().to("inner");
          l.leftJoin(r, JOINER, Named.as("jl")).toStream().to("left-out");
          l.outerJoin(r, JOINER, Named.as("jo")).toStream().to("outer");
          return b.build();
        },
        steps,
        OUTS);
  }

  /** The join result grouped under one key "all": the aggregate shows each old value subtracted and new value added. */
  private static void trace(KTable<String, String> joined, String store, String topic) {
    joined
        .groupBy((k, v) -> KeyValue.pair("all", k + "=" + v), Grouped.as(store + "-group"))
        .aggregate(
            () -> "",
            (k, v, agg) -> agg + "+[" + v + "]",
            (k, v, agg) -> agg + "-[" + v + "]",
            Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(store))
        .toStream()
        .to(topic);
  }

  private static Scenario threeJoinsDownstream(String name, String description, List<Step> steps) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KTable<String, String> l = b.table("left");
          KTable<String, String> r = b.table("right");
          trace(l.join(r, JOINER, Named.as("ji")), "agg-inner", "inner");
          trace(l.leftJoin(r, JOINER, Named.as("jl")), "agg-left", "left-out");
          trace(l.outerJoin(r, JOINER, Named.as("jo")), "agg-outer", "outer");
          return b.build();
        },
        steps,
        OUTS);
  }

  private static List<Step> deleteSteps() {
    return Arrays.asList(
        pipe("left", "a", "A1", 10),
        pipe("right", "a", "a1", 20),
        pipe("left", "a", null, 30),
        pipe("right", "a", null, 40),
        pipe("left", "b", "B1", 50),
        pipe("right", "b", "b1", 60),
        pipe("right", "b", null, 70),
        pipe("left", "b", null, 80),
        pipe("left", "c", "C1", 90),
        pipe("right", "c", "c1", 95),
        pipe("left", "c", null, 100),
        pipe("left", "c", null, 110));
  }

  private static List<Step> unknownTombstoneSteps() {
    return Arrays.asList(
        pipe("left", "x", null, 10),
        pipe("right", "x", null, 20),
        pipe("right", "y", "y1", 30),
        pipe("left", "y", null, 40),
        pipe("left", "z", "Z1", 50),
        pipe("right", "z", null, 60),
        pipe("right", "z", null, 70));
  }

  static Scenario updates() {
    return threeJoins(
        "tjoin-updates",
        "updates on either side, one side missing, an older timestamp after a newer one on the other side",
        Arrays.asList(
            pipe("left", "a", "A1", 10),
            pipe("right", "a", "a1", 20),
            pipe("left", "a", "A2", 5),
            pipe("right", "a", "a2", 30),
            pipe("right", "b", "b1", 40),
            pipe("right", "b", "b2", 35),
            pipe("left", "b", "B1", 38),
            pipe("left", "c", "C1", 50),
            pipe("left", "c", "C2", 45),
            pipe("left", "a", "A2", 60)));
  }

  static Scenario deletes() {
    return threeJoins(
        "tjoin-deletes",
        "deletes on each side of a joined key, then of the remaining side, and a repeated delete",
        deleteSteps());
  }

  static Scenario unknownTombstones() {
    return threeJoins(
        "tjoin-unknown-tombstones",
        "tombstones for keys absent on both sides, absent on this side only, absent on the other side only",
        unknownTombstoneSteps());
  }

  static Scenario nullKeys() {
    return threeJoins(
        "tjoin-null-keys",
        "null keys on either table are dropped before the join",
        Arrays.asList(
            pipe("left", "a", "A1", 10),
            pipe("left", null, "N1", 20),
            pipe("right", null, "n1", 30),
            pipe("right", "a", "a1", 40),
            pipe("right", null, null, 50)));
  }

  static Scenario deletesDownstream() {
    return threeJoinsDownstream(
        "tjoin-deletes-downstream",
        "as tjoin-deletes, with a groupBy aggregation after each join tracing the old and new values it receives",
        deleteSteps());
  }

  static Scenario unknownTombstonesDownstream() {
    return threeJoinsDownstream(
        "tjoin-unknown-tombstones-downstream",
        "as tjoin-unknown-tombstones, with a groupBy aggregation after each join",
        unknownTombstoneSteps());
  }

  static Scenario afterFilter() {
    return new Scenario(
        "tjoin-after-filter",
        "the left table filtered (values not starting with 'x' pass) before an inner and a left join",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KTable<String, String> l = b.<String, String>table("left").filter((k, v) -> !v.startsWith("x"));
          KTable<String, String> r = b.table("right");
          l.join(r, JOINER, Named.as("ji")).toStream().to("inner");
          l.leftJoin(r, JOINER, Named.as("jl")).toStream().to("left-out");
          return b.build();
        },
        Arrays.asList(
            pipe("right", "a", "a1", 10),
            pipe("left", "a", "x1", 20),
            pipe("left", "a", "A1", 30),
            pipe("left", "a", "x2", 40),
            pipe("left", "a", "x3", 50),
            pipe("right", "a", "a2", 60),
            pipe("left", "b", "x1", 70)),
        List.of("inner", "left-out"));
  }

  static Scenario tableSourceTombstones() {
    return new Scenario(
        "table-source-tombstones",
        "a table's toStream: a tombstone for a key the table never held, and a repeated tombstone",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>table("left").toStream().to("out");
          return b.build();
        },
        Arrays.asList(
            pipe("left", "x", null, 10),
            pipe("left", "a", "A1", 20),
            pipe("left", "a", null, 30),
            pipe("left", "a", null, 40)),
        List.of("out"));
  }
}
