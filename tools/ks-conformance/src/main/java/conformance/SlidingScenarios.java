package conformance;

import static conformance.Step.advanceWallClock;
import static conformance.Step.pipe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/** Sliding windows (KIP-450): left and right windows, out-of-order records, grace, emit on close. */
final class SlidingScenarios {
  static List<Scenario> all() {
    return List.of(
        countUpdates(),
        reduce(),
        aggregate(),
        outOfOrder(),
        diffBoundary(),
        graceBoundary(),
        earlyRecords(),
        nullValuesKeepStreamTime(),
        emitFinal(),
        exampleUpdates(),
        exampleFinal(),
        emitFinalRetentionJump(),
        emitFinalRetentionDay(),
        emitFinalThrottle(),
        randomOutOfOrder(),
        randomOutOfOrderFinal(),
        randomEarly());
  }

  /** Time difference 10 s; grace in seconds (0: ofTimeDifferenceWithNoGrace). */
  private static SlidingWindows diff10(long graceSeconds) {
    return graceSeconds == 0
        ? SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(10))
        : SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(graceSeconds));
  }

  /** Renders windowed keys as key@start/end and null values as null. */
  private static <V> Topology topology(
      SlidingWindows windows,
      boolean emitFinal,
      Function<TimeWindowedKStream<String, String>, KTable<Windowed<String>, V>> agg) {
    StreamsBuilder b = new StreamsBuilder();
    TimeWindowedKStream<String, String> w = b.<String, String>stream("in").groupByKey().windowedBy(windows);
    if (emitFinal) w = w.emitStrategy(EmitStrategy.onWindowClose());
    agg.apply(w)
        .toStream()
        .map(
            (k, v) ->
                KeyValue.pair(
                    k.key() + "@" + k.window().start() + "/" + k.window().end(),
                    v == null ? null : String.valueOf(v)))
        .to("out");
    return b.build();
  }

  private static <V> Scenario scenario(
      String name,
      String description,
      SlidingWindows windows,
      boolean emitFinal,
      Function<TimeWindowedKStream<String, String>, KTable<Windowed<String>, V>> agg,
      List<Step> steps) {
    return new Scenario(name, description, () -> topology(windows, emitFinal, agg), steps, List.of("out"));
  }

  /** A count() into the store "counts". */
  private static Scenario counts(
      String name, String description, SlidingWindows windows, boolean emitFinal, List<Step> steps) {
    return scenario(name, description, windows, emitFinal, s -> s.count(Materialized.as("counts")), steps);
  }

  /** Records of one value "x" at the given key@timestamp pairs, the wall clock 1 s on between them. */
  private static List<Step> ticking(Object... keysAndTimestamps) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < keysAndTimestamps.length; i += 2) {
      if (i > 0) steps.add(advanceWallClock(1_000));
      steps.add(pipe("in", (String) keysAndTimestamps[i], "x", ((Number) keysAndTimestamps[i + 1]).longValue()));
    }
    return steps;
  }

  static Scenario countUpdates() {
    return counts(
        "sliding-count-updates",
        "SlidingWindows diff 10s grace 5s count(): left windows, right windows of earlier records, a record exactly diff later, a gap, null key and null value skipped, two keys",
        diff10(5),
        false,
        List.of(
            pipe("in", "a", "x", 20_000),
            pipe("in", "a", "x", 25_000),
            pipe("in", "b", "x", 22_000),
            pipe("in", "a", "x", 30_000),
            pipe("in", null, "x", 30_500),
            pipe("in", "a", null, 31_000),
            pipe("in", "a", "x", 41_000),
            pipe("in", "b", "x", 29_000)));
  }

  static Scenario reduce() {
    return scenario(
        "sliding-reduce",
        "SlidingWindows diff 10s grace 5s reduce(concat): copied aggregates in new left and right windows keep record order",
        diff10(5),
        false,
        s -> s.reduce((a, v) -> a + "+" + v, Materialized.as("reduced")),
        List.of(
            pipe("in", "a", "p", 20_000),
            pipe("in", "a", "q", 24_000),
            pipe("in", "a", "r", 32_000),
            pipe("in", "a", "s", 27_000),
            pipe("in", "b", "t", 30_000)));
  }

  static Scenario aggregate() {
    return scenario(
        "sliding-aggregate",
        "SlidingWindows diff 10s grace 5s aggregate(init, agg): the initializer seeds only windows that start empty",
        diff10(5),
        false,
        s -> s.aggregate(() -> "<", (k, v, a) -> a + v, Materialized.as("agg")),
        List.of(
            pipe("in", "a", "p", 20_000),
            pipe("in", "a", "q", 28_000),
            pipe("in", "a", "r", 29_000),
            pipe("in", "a", "s", 35_000),
            pipe("in", "a", "t", 50_000)));
  }

  static Scenario outOfOrder() {
    return counts(
        "sliding-out-of-order",
        "SlidingWindows diff 10s grace 30s count(): out-of-order records within grace create earlier left and right windows and update later ones; equal timestamps",
        diff10(30),
        false,
        List.of(
            pipe("in", "a", "x", 30_000),
            pipe("in", "a", "x", 50_000),
            pipe("in", "a", "x", 35_000),
            pipe("in", "a", "x", 45_000),
            pipe("in", "a", "x", 35_000),
            pipe("in", "a", "x", 41_000),
            pipe("in", "a", "x", 25_000),
            pipe("in", "a", "x", 60_000),
            pipe("in", "a", "x", 49_999)));
  }

  static Scenario diffBoundary() {
    return counts(
        "sliding-diff-boundary",
        "SlidingWindows diff 10s grace 20s count(): records exactly diff apart share a window, diff+1 apart do not; a record at an existing right window's start",
        diff10(20),
        false,
        List.of(
            pipe("in", "a", "x", 20_000),
            pipe("in", "a", "x", 30_000),
            pipe("in", "a", "x", 40_001),
            pipe("in", "a", "x", 30_001),
            pipe("in", "a", "x", 20_001),
            pipe("in", "b", "x", 20_000),
            pipe("in", "b", "x", 30_001),
            pipe("in", "b", "x", 19_999)));
  }

  static Scenario graceBoundary() {
    return counts(
        "sliding-grace-boundary",
        "SlidingWindows diff 10s grace 2s count(): stream time 50s; a record at 38s (ts + diff = stream time - grace) is accepted but its left window has closed, 37.999s is dropped; windows ending exactly at the close time still update",
        diff10(2),
        false,
        List.of(
            pipe("in", "a", "x", 40_000),
            pipe("in", "a", "x", 50_000),
            pipe("in", "b", "x", 38_000),
            pipe("in", "c", "x", 37_999),
            pipe("in", "a", "x", 38_000),
            pipe("in", "a", "x", 47_000),
            pipe("in", "a", "x", 48_000),
            pipe("in", "a", "x", 47_999)));
  }

  static Scenario earlyRecords() {
    return counts(
        "sliding-early-records",
        "SlidingWindows diff 10s grace 30s count(): records before the first time difference share the window [0, diff]",
        diff10(30),
        false,
        List.of(
            pipe("in", "a", "x", 3_000),
            pipe("in", "a", "x", 6_000),
            pipe("in", "a", "x", 12_000),
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 9_000),
            pipe("in", "a", "x", 15_000),
            pipe("in", "b", "x", 0),
            pipe("in", "b", "x", 10_000)));
  }

  static Scenario nullValuesKeepStreamTime() {
    return counts(
        "sliding-null-values-keep-stream-time",
        "SlidingWindows diff 10s no grace count(): a null value is skipped before it can advance stream time, so a later older record still updates its window",
        diff10(0),
        false,
        List.of(
            pipe("in", "a", "x", 20_000),
            pipe("in", "a", null, 100_000),
            pipe("in", null, "x", 100_000),
            pipe("in", "a", "x", 15_000)));
  }

  static Scenario emitFinal() {
    return counts(
        "sliding-emit-final",
        "SlidingWindows diff 10s grace 2s count() with emitStrategy(onWindowClose): each window once, after stream time - grace passes its end, in start order across keys",
        diff10(2),
        true,
        ticking("a", 20_000, "b", 21_000, "a", 25_000, "a", 33_000, "b", 36_000, "a", 34_000, "a", 50_000, "c", 70_000));
  }

  /** The window-kinds example of docs/time-and-windows.md: a at 100 s, 104 s and 111 s, then z at 125 s. */
  private static final List<Step> EXAMPLE = ticking("a", 100_000, "a", 104_000, "a", 111_000, "z", 125_000);

  static Scenario exampleUpdates() {
    return counts(
        "sliding-example-updates",
        "SlidingWindows diff 10s no grace count(): the window-kinds example of docs/time-and-windows.md (a at 100s, 104s, 111s), updates",
        diff10(0),
        false,
        EXAMPLE);
  }

  static Scenario exampleFinal() {
    return counts(
        "sliding-example-final",
        "SlidingWindows diff 10s no grace count() with emitStrategy(onWindowClose): the window-kinds example of docs/time-and-windows.md, closed by a record at 125s",
        diff10(0),
        true,
        EXAMPLE);
  }

  static Scenario emitFinalRetentionJump() {
    return counts(
        "sliding-emit-final-retention-jump",
        "SlidingWindows diff 10s no grace count() with emitStrategy(onWindowClose): a record 89s after the last one, past the store's retention (2 * diff + grace), closes the open windows",
        diff10(0),
        true,
        ticking("a", 100_000, "a", 104_000, "a", 111_000, "z", 200_000, "z", 300_000));
  }

  static Scenario emitFinalRetentionDay() {
    return scenario(
        "sliding-emit-final-retention-day",
        "SlidingWindows diff 10s no grace count() with emitStrategy(onWindowClose) and a store retention of one day (Tributary's): the same jump no longer loses final results",
        diff10(0),
        true,
        s -> s.count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("counts").withRetention(Duration.ofDays(1))),
        ticking("a", 100_000, "a", 104_000, "a", 111_000, "z", 200_000, "z", 300_000));
  }

  static Scenario emitFinalThrottle() {
    return counts(
        "sliding-emit-final-throttle",
        "SlidingWindows diff 10s no grace count() with emitStrategy(onWindowClose), wall clock never advanced: the window-kinds example closed by records at 125s and 140s",
        diff10(0),
        true,
        List.of(
            pipe("in", "a", "x", 100_000),
            pipe("in", "a", "x", 104_000),
            pipe("in", "a", "x", 111_000),
            pipe("in", "z", "x", 125_000),
            pipe("in", "z", "x", 140_000),
            advanceWallClock(1_000),
            pipe("in", "z", "x", 141_000)));
  }

  /**
   * 80 records of 3 keys on a 500 ms grid (so ties and exact diff boundaries occur), drifting forward
   * from `start` with jitter of up to 12 s backwards: some land within grace, some past it.
   */
  private static List<Step> randomSteps(long seed, long start) {
    List<Step> steps = new ArrayList<>();
    long base = start;
    for (int i = 0; i < 80; i++) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      int r = (int) ((seed >>> 33) % 1_000_000);
      base += 500L * (r % 4);
      long ts = Math.max(0, base - 500L * ((r / 4) % 25));
      String key = String.valueOf((char) ('a' + (r / 100) % 3));
      steps.add(pipe("in", key, "v" + i, ts));
    }
    return steps;
  }

  private static KTable<Windowed<String>, String> concat(TimeWindowedKStream<String, String> s) {
    return s.aggregate(() -> "", (k, v, a) -> a.isEmpty() ? v : a + "," + v, Materialized.as("agg"));
  }

  static Scenario randomOutOfOrder() {
    return scenario(
        "sliding-random-out-of-order",
        "SlidingWindows diff 10s grace 5s aggregate(concat): 80 pseudo-random records of 3 keys, out of order by up to 12 s, updates",
        diff10(5),
        false,
        SlidingScenarios::concat,
        randomSteps(450, 100_000));
  }

  static Scenario randomOutOfOrderFinal() {
    return scenario(
        "sliding-random-out-of-order-final",
        "SlidingWindows diff 10s grace 5s aggregate(concat) with emitStrategy(onWindowClose): the same 80 records, final results",
        diff10(5),
        true,
        SlidingScenarios::concat,
        randomSteps(450, 100_000));
  }

  static Scenario randomEarly() {
    return counts(
        "sliding-random-early",
        "SlidingWindows diff 10s grace 5s count(): 80 pseudo-random records from time 0, so many before the first time difference, updates",
        diff10(5),
        false,
        randomSteps(7, 0));
  }
}
