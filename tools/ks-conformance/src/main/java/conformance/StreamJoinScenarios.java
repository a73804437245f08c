package conformance;

import static conformance.Step.advanceWallClock;
import static conformance.Step.pipe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;

/**
 * KStream-KStream joins (inner, left, outer) at the edges of their windows: records exactly at and
 * just outside the time difference, asymmetric before/after windows, the grace boundary, late and
 * out-of-order records, unmatched results at window close, null keys and values, and several records
 * per key and timestamp. Inputs are "left" and "right"; the joiner renders "left+right" with a
 * missing side as "null".
 *
 * A KafkaStreams instance throttles the emission of unmatched left/outer results to one pass per
 * second of wall-clock time (an internal config); its TopologyTestDriver sets that interval to 0.
 * Most scenarios still advance the wall clock by one second before each record, so they hold either
 * way; "ssjoin-left-emit-throttle" keeps the wall clock still and pins the driver's behaviour.
 */
final class StreamJoinScenarios {
  static List<Scenario> all() {
    return List.of(
        innerWindowEdges(),
        innerAsymmetricWindows(),
        innerAfterKeyChange(),
        innerJoinerWithKey(),
        lateRecordJoinsWhatStoreRetains(),
        leftUnmatchedAtWindowClose(),
        leftGraceBoundary(),
        leftOutOfOrderUnmatched(),
        leftEmitThrottle(),
        leftAsymmetricClose(),
        outerUnmatchedBothSides(),
        outerAsymmetricClose(),
        nullKeysAndValues(),
        nullsAdvanceStreamTime(),
        duplicatesPerKeyAndTimestamp(),
        selfJoin());
  }

  private static final ValueJoiner<String, String, String> JOINER = (l, r) -> l + "+" + r;

  private enum Kind { INNER, LEFT, OUTER }

  private static StreamJoined<String, String, String> named(String name) {
    return StreamJoined.<String, String, String>as(name).withName(name);
  }

  private static KStream<String, String> join(
      Kind kind, KStream<String, String> l, KStream<String, String> r, JoinWindows w, String name) {
    switch (kind) {
      case INNER:
        return l.join(r, JOINER, w, named(name));
      case LEFT:
        return l.leftJoin(r, JOINER, w, named(name));
      default:
        return l.outerJoin(r, JOINER, w, named(name));
    }
  }

  private static Scenario simple(String name, String description, Kind kind, JoinWindows w, List<Step> steps) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> l = b.stream("left");
          KStream<String, String> r = b.stream("right");
          join(kind, l, r, w, "j").to("out");
          return b.build();
        },
        steps,
        List.of("out"));
  }

  /** Each step preceded by one second of wall-clock time, so Kafka Streams' emit throttle never holds a pass back. */
  private static List<Step> paced(Step... steps) {
    List<Step> out = new ArrayList<>();
    for (Step s : steps) {
      out.add(advanceWallClock(1_000));
      out.add(s);
    }
    return out;
  }

  static Scenario innerWindowEdges() {
    return simple(
        "ssjoin-inner-window-edges",
        "join, ofTimeDifferenceWithNoGrace(100): right records at, inside and just outside +-100 ms of a left one",
        Kind.INNER,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)),
        Arrays.asList(
            pipe("left", "a", "L1", 1_000),
            pipe("right", "a", "R1", 899),
            pipe("right", "a", "R2", 900),
            pipe("right", "a", "R3", 1_100),
            pipe("right", "a", "R4", 1_101),
            pipe("right", "b", "R5", 1_000),
            pipe("left", "a", "L2", 1_050),
            pipe("left", "a", "L3", 1_201),
            pipe("left", "a", "L4", 1_202)));
  }

  static Scenario innerAsymmetricWindows() {
    return simple(
        "ssjoin-inner-asymmetric",
        "join, ofTimeDifferenceWithNoGrace(100).before(50): right in [left-50, left+100], edges from both sides",
        Kind.INNER,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)).before(Duration.ofMillis(50)),
        Arrays.asList(
            pipe("left", "a", "L1", 1_000),
            pipe("right", "a", "R1", 949),
            pipe("right", "a", "R2", 950),
            pipe("right", "a", "R3", 1_100),
            pipe("right", "a", "R4", 1_101),
            pipe("left", "a", "L2", 1_150),
            pipe("left", "a", "L3", 1_151),
            pipe("left", "a", "L4", 1_001),
            pipe("left", "a", "L5", 1_000)));
  }

  static Scenario innerAfterKeyChange() {
    return new Scenario(
        "ssjoin-inner-after-key-change",
        "selectKey before join: the left side is repartitioned, then joined on the new key",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> l = b.<String, String>stream("left").selectKey((k, v) -> v.substring(0, 1));
          KStream<String, String> r = b.stream("right");
          l.join(r, JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)), named("j")).to("out");
          return b.build();
        },
        Arrays.asList(
            pipe("right", "a", "R1", 1_000),
            pipe("left", "x", "aL1", 1_050),
            pipe("left", "y", "bL2", 1_060),
            pipe("right", "b", "R2", 1_070)),
        List.of("out"));
  }

  static Scenario innerJoinerWithKey() {
    return new Scenario(
        "ssjoin-inner-joiner-with-key",
        "join with a ValueJoinerWithKey: the joiner reads the key",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> l = b.stream("left");
          KStream<String, String> r = b.stream("right");
          l.join(r, (k, lv, rv) -> k + ":" + lv + "+" + rv,
                  JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)), named("j"))
              .to("out");
          return b.build();
        },
        Arrays.asList(pipe("left", "a", "L1", 1_000), pipe("right", "a", "R1", 1_010)),
        List.of("out"));
  }

  static Scenario lateRecordJoinsWhatStoreRetains() {
    return simple(
        "ssjoin-late-record-joins-retained",
        "join, ofTimeDifferenceWithNoGrace(100): a right record later than grace joins what the left store still retains",
        Kind.INNER,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)),
        Arrays.asList(
            pipe("left", "a", "L1", 1_000),
            pipe("right", "z", "R0", 5_000),
            pipe("right", "a", "R1", 1_020),
            pipe("left", "b", "L2", 1_199),
            pipe("right", "a", "R2", 1_030),
            pipe("left", "c", "L3", 1_200),
            pipe("right", "a", "R3", 1_040),
            pipe("left", "a", "L4", 900)));
  }

  static Scenario leftUnmatchedAtWindowClose() {
    return simple(
        "ssjoin-left-unmatched-at-close",
        "leftJoin, ofTimeDifferenceAndGrace(100, 50): unmatched left records emitted once, when stream time passes ts+100+50",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(50)),
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("left", "b", "L2", 1_010),
            pipe("right", "b", "R1", 1_100),
            pipe("left", "c", "L3", 1_120),
            pipe("right", "x", "R2", 1_200),
            pipe("left", "x", "L4", 1_300),
            pipe("right", "c", "R3", 1_150),
            pipe("left", "y", "L5", 2_000)));
  }

  static Scenario leftGraceBoundary() {
    return simple(
        "ssjoin-left-grace-boundary",
        "leftJoin, ofTimeDifferenceAndGrace(100, 50): stream time at ts+150 keeps the window open, ts+151 closes it; a right record after close still joins",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(50)),
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("left", "b", "L2", 1_150),
            pipe("right", "a", "R1", 1_090),
            pipe("left", "c", "L3", 1_000),
            pipe("left", "d", "L4", 1_151),
            pipe("right", "c", "R2", 1_100),
            pipe("left", "e", "L5", 1_152),
            pipe("left", "f", "L6", 1_400)));
  }

  static Scenario leftOutOfOrderUnmatched() {
    return simple(
        "ssjoin-left-out-of-order-unmatched",
        "leftJoin, ofTimeDifferenceAndGrace(100, 500): an out-of-order record with ts+100 < stream time and no match is emitted at once",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(500)),
        paced(
            pipe("left", "a", "L1", 2_000),
            pipe("left", "b", "L2", 1_500),
            pipe("left", "c", "L3", 1_899),
            pipe("left", "d", "L4", 1_900),
            pipe("right", "b", "R1", 1_550),
            pipe("left", "e", "L5", 3_000)));
  }

  static Scenario leftEmitThrottle() {
    return simple(
        "ssjoin-left-emit-throttle",
        "leftJoin, no grace, wall clock mostly still: unmatched results come out at the first in-order record after their window closed (no emit throttle in the test driver)",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)),
        Arrays.asList(
            pipe("left", "a", "L1", 1_000),
            pipe("left", "b", "L2", 1_200),
            // L1 closed at 1_100: emitted at L2, before this record's match with L2.
            pipe("right", "b", "R1", 1_210),
            pipe("left", "c", "L3", 1_400),
            advanceWallClock(999),
            pipe("left", "d", "L4", 1_600),
            advanceWallClock(1),
            pipe("left", "e", "L5", 1_800),
            pipe("right", "e", "R2", 1_850),
            pipe("left", "f", "L6", 2_000),
            advanceWallClock(5_000),
            pipe("left", "g", "L7", 2_200)));
  }

  static Scenario leftAsymmetricClose() {
    return simple(
        "ssjoin-left-asymmetric-close",
        "leftJoin, ofTimeDifferenceAndGrace(100, 20).before(300): an unmatched left record closes at ts+after+grace",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(20)).before(Duration.ofMillis(300)),
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("left", "b", "L2", 1_120),
            pipe("left", "c", "L3", 1_121),
            pipe("right", "b", "R1", 820),
            pipe("right", "c", "R2", 821),
            pipe("left", "d", "L4", 1_500)));
  }

  static Scenario outerUnmatchedBothSides() {
    return simple(
        "ssjoin-outer-unmatched",
        "outerJoin, ofTimeDifferenceAndGrace(100, 0): unmatched records of both sides emitted at close, ordered by timestamp, right before left, key",
        Kind.OUTER,
        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(0)),
        paced(
            pipe("left", "b", "L1", 1_000),
            pipe("right", "c", "R1", 1_000),
            pipe("left", "a", "L2", 1_000),
            pipe("right", "a", "R2", 1_000),
            pipe("right", "d", "R3", 990),
            pipe("left", "e", "L3", 1_050),
            pipe("right", "e", "R4", 1_060),
            pipe("left", "f", "L4", 1_101),
            pipe("right", "g", "R5", 1_200),
            pipe("left", "h", "L5", 1_300)));
  }

  static Scenario outerAsymmetricClose() {
    return simple(
        "ssjoin-outer-asymmetric-close",
        "outerJoin, ofTimeDifferenceWithNoGrace(100).before(10): left records close at ts+100, right records at ts+10",
        Kind.OUTER,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)).before(Duration.ofMillis(10)),
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("right", "b", "R1", 1_000),
            pipe("right", "x", "R2", 1_011),
            pipe("right", "y", "R3", 1_050),
            pipe("left", "z", "L2", 1_101),
            pipe("left", "w", "L3", 1_200)));
  }

  static Scenario nullKeysAndValues() {
    return new Scenario(
        "ssjoin-null-keys-values",
        "null keys and values into inner, left and outer joins of the same streams",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> l = b.stream("left");
          KStream<String, String> r = b.stream("right");
          JoinWindows w = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(0));
          join(Kind.INNER, l, r, w, "ji").to("inner");
          join(Kind.LEFT, l, r, w, "jl").to("left-out");
          join(Kind.OUTER, l, r, w, "jo").to("outer");
          return b.build();
        },
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("left", null, "L2", 1_000),
            pipe("right", null, "R1", 1_010),
            pipe("left", "a", null, 1_020),
            pipe("right", "a", null, 1_030),
            pipe("right", "a", "R2", 1_040),
            pipe("left", null, "L3", 5_000),
            pipe("right", "b", null, 1_050),
            pipe("left", "c", "L4", 1_060),
            pipe("right", "c", "R3", 6_000)),
        List.of("inner", "left-out", "outer"));
  }

  static Scenario nullsAdvanceStreamTime() {
    return simple(
        "ssjoin-left-nulls-advance-stream-time",
        "leftJoin, ofTimeDifferenceWithNoGrace(100): a null-key and a null-value record are not joined but advance stream time, so later records count as out of order",
        Kind.LEFT,
        JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)),
        Arrays.asList(
            pipe("left", "a", "L1", 1_000),
            pipe("left", null, "N1", 5_000),
            pipe("left", "b", "L2", 1_100),
            pipe("right", "b", "R1", 1_150),
            pipe("left", "c", null, 9_000),
            pipe("left", "d", "L3", 5_100),
            pipe("right", "d", "R2", 5_150)));
  }

  static Scenario selfJoin() {
    return new Scenario(
        "ssjoin-self-join",
        "a stream joined with itself (inner and left): each record reaches the left side first, then the right side",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> s = b.stream("left");
          JoinWindows w = JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100));
          join(Kind.INNER, s, s, w, "ji").to("inner");
          join(Kind.LEFT, s, s, w, "jl").to("left-out");
          return b.build();
        },
        paced(
            pipe("left", "a", "A1", 1_000),
            pipe("left", "a", "A2", 1_050),
            pipe("left", "b", "B1", 1_300),
            pipe("left", "a", "A3", 1_020)),
        List.of("inner", "left-out"));
  }

  static Scenario duplicatesPerKeyAndTimestamp() {
    return new Scenario(
        "ssjoin-duplicates",
        "several records per key and timestamp on both sides: every pair joins; unmatched duplicates are all emitted",
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KStream<String, String> l = b.stream("left");
          KStream<String, String> r = b.stream("right");
          JoinWindows w = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(0));
          join(Kind.INNER, l, r, w, "ji").to("inner");
          join(Kind.OUTER, l, r, w, "jo").to("outer");
          return b.build();
        },
        paced(
            pipe("left", "a", "L1", 1_000),
            pipe("left", "a", "L2", 1_000),
            pipe("right", "a", "R1", 1_000),
            pipe("right", "a", "R2", 1_000),
            pipe("left", "b", "L3", 1_000),
            pipe("left", "b", "L4", 1_000),
            pipe("right", "c", "R3", 1_000),
            pipe("right", "c", "R4", 1_000),
            pipe("left", "a", "L5", 1_050),
            pipe("left", "z", "L6", 1_200)),
        List.of("inner", "outer"));
  }
}
