package conformance;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.Topology;

/**
 * A conformance scenario: a topology (String keys and values on every topic it reads and writes), the
 * input steps and the topics whose output is recorded. The TypeScript side (src/scenarios.ts) builds
 * the same topology with Tributary's DSL under the same name and replays the same steps.
 */
public record Scenario(
    String name,
    String description,
    Supplier<Topology> topology,
    List<Step> steps,
    List<String> outputTopics,
    long initialWallClockMs) {

  public Scenario(String name, String description, Supplier<Topology> topology, List<Step> steps, List<String> outputTopics) {
    this(name, description, topology, steps, outputTopics, 0L);
  }
}
