package conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** Runs every scenario (or the named ones) through Kafka Streams' TopologyTestDriver; writes fixtures. */
public final class Generate {
  public static void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    Set<String> only = Set.of(java.util.Arrays.copyOfRange(args, 1, args.length));
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    for (Scenario s : Scenarios.all()) {
      if (!only.isEmpty() && !only.contains(s.name())) continue;
      Map<String, Object> fixture = new LinkedHashMap<>();
      fixture.put("name", s.name());
      fixture.put("description", s.description());
      fixture.put("kafkaStreams", org.apache.kafka.common.utils.AppInfoParser.getVersion());
      fixture.put("initialWallClockMs", s.initialWallClockMs());
      List<Map<String, Object>> steps = new ArrayList<>();
      for (Step st : s.steps()) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (st.kind().equals("pipe")) {
          m.put("pipe", st.topic());
          m.put("key", st.key());
          m.put("value", st.value());
          m.put("timestamp", st.timestamp());
        } else {
          m.put("advanceWallClock", st.advanceMs());
        }
        steps.add(m);
      }
      fixture.put("steps", steps);
      Map<String, Object> error = new LinkedHashMap<>();
      fixture.put("outputs", run(s, error));
      if (!error.isEmpty()) fixture.put("error", error);
      json.writeValue(new File(dir, s.name() + ".json"), fixture);
      System.err.println("wrote " + s.name());
    }
  }

  /**
   * Runs the scenario; a step that fails the task (an exception out of the driver) ends the input,
   * and `error` records its index and the exception, so the fixture pins where Kafka Streams fails.
   */
  private static Map<String, List<Map<String, Object>>> run(Scenario s, Map<String, Object> error) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "conformance");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    // Tributary's caches fold changelog writes only, never downstream updates: compare without caching.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    Map<String, List<Map<String, Object>>> outputs = new LinkedHashMap<>();
    TopologyTestDriver driver =
        new TopologyTestDriver(s.topology().get(), props, Instant.ofEpochMilli(s.initialWallClockMs()));
    try {
      Map<String, TestInputTopic<String, String>> inputs = new LinkedHashMap<>();
      Map<String, TestOutputTopic<String, String>> outs = new LinkedHashMap<>();
      for (String t : s.outputTopics()) {
        outs.put(t, driver.createOutputTopic(t, new StringDeserializer(), new StringDeserializer()));
        outputs.put(t, new ArrayList<>());
      }
      int index = 0;
      for (Step st : s.steps()) {
        try {
          if (st.kind().equals("pipe")) {
            inputs
                .computeIfAbsent(st.topic(), t -> driver.createInputTopic(t, new StringSerializer(), new StringSerializer()))
                .pipeInput(st.key(), st.value(), st.timestamp());
          } else {
            driver.advanceWallClockTime(Duration.ofMillis(st.advanceMs()));
          }
        } catch (RuntimeException e) {
          Throwable root = e;
          while (root.getCause() != null) root = root.getCause();
          error.put("step", index);
          error.put("exception", e.getClass().getSimpleName());
          error.put("message", root.getMessage());
          break;
        }
        index++;
      }
      for (Map.Entry<String, TestOutputTopic<String, String>> e : outs.entrySet()) {
        for (TestRecord<String, String> r : e.getValue().readRecordsToList()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("key", r.key());
          m.put("value", r.value());
          m.put("timestamp", r.timestamp());
          outputs.get(e.getKey()).add(m);
        }
      }
    } finally {
      try {
        driver.close();
      } catch (RuntimeException e) {
        if (error.isEmpty()) throw e; // a failed task may fail again on close; that is expected
      }
    }
    return outputs;
  }
}
