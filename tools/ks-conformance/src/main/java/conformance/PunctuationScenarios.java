package conformance;

import static conformance.Step.advanceWallClock;
import static conformance.Step.pipe;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * When punctuators fire: a processor schedules one in init and forwards ("tick", time) stamped with
 * the time it was called with, so the fixture records every call. Input records pass through as
 * ("rec", timestamp) so the interleaving is visible too.
 */
final class PunctuationScenarios {
  static List<Scenario> all() {
    return List.of(streamTime(), wallClock());
  }

  private static final class Ticker implements Processor<String, String, String, String> {
    private final PunctuationType type;

    Ticker(PunctuationType type) {
      this.type = type;
    }

    @Override
    public void init(ProcessorContext<String, String> ctx) {
      ctx.schedule(Duration.ofSeconds(10), type, t -> ctx.forward(new Record<>("tick", String.valueOf(t), t)));
    }

    @Override
    public void process(Record<String, String> r) {}
  }

  private static Scenario scenario(String name, String description, PunctuationType type, List<Step> steps, long wallClock) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          b.<String, String>stream("in").process(() -> new Ticker(type)).to("out");
          return b.build();
        },
        steps,
        List.of("out"),
        wallClock);
  }

  static Scenario streamTime() {
    return scenario(
        "punctuate-stream-time",
        "schedule(10s, STREAM_TIME): fires on the first record, then once stream time reaches each next multiple, skipping missed ones; out-of-order records do not fire",
        PunctuationType.STREAM_TIME,
        List.of(
            pipe("in", "a", "x", 1_000),
            pipe("in", "a", "x", 5_000),
            pipe("in", "a", "x", 12_000),
            pipe("in", "a", "x", 11_000),
            pipe("in", "a", "x", 35_000),
            pipe("in", "a", "x", 40_000),
            pipe("in", "a", "x", 40_500),
            pipe("in", "a", "x", 49_999)),
        0L);
  }

  static Scenario wallClock() {
    return scenario(
        "punctuate-wall-clock",
        "schedule(10s, WALL_CLOCK_TIME) at wall clock 1500: fires at 11500, 21500, ...; one advance fires at most once and skips missed intervals",
        PunctuationType.WALL_CLOCK_TIME,
        List.of(
            advanceWallClock(5_000),
            advanceWallClock(5_000),
            pipe("in", "a", "x", 100_000),
            advanceWallClock(9_999),
            advanceWallClock(1),
            advanceWallClock(25_000),
            advanceWallClock(5_000),
            advanceWallClock(10_000)),
        1_500L);
  }
}
