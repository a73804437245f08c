package conformance;

import static conformance.Step.pipe;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;

/**
 * Foreign-key KTable-KTable joins (KIP-213), inner and left: the left table "left" holds values
 * "fk|payload" whose foreign key is the part before '|' (an empty part is a null foreign key); the
 * right table "right" is keyed by foreign key. Each topology writes the inner join to "inner" and the
 * left join to "left-out" (toStream); the joiner renders "left+right" with a missing side as "null".
 * Kafka Streams' TopologyTestDriver processes the subscription and response topics synchronously
 * after each input record, so responses never arrive out of order here.
 */
final class ForeignKeyJoinScenarios {
  static List<Scenario> all() {
    return List.of(updates(), foreignKeyChanges(), deletes(), nullForeignKey());
  }

  private static final ValueJoiner<String, String, String> JOINER = (l, r) -> l + "+" + r;

  private static final Function<String, String> FK = v -> {
    String fk = v.substring(0, v.indexOf('|'));
    return fk.isEmpty() ? null : fk;
  };

  private static Scenario both(String name, String description, List<Step> steps) {
    return new Scenario(
        name,
        description,
        () -> {
          StreamsBuilder b = new StreamsBuilder();
          KTable<String, String> l = b.table("left");
          KTable<String, String> r = b.table("right");
          l.join(r, FK, JOINER, TableJoined.as("fi")).toStream().to("inner");
          l.leftJoin(r, FK, JOINER, TableJoined.as("fl")).toStream().to("left-out");
          return b.build();
        },
        steps,
        List.of("inner", "left-out"));
  }

  static Scenario updates() {
    return both(
        "fkjoin-updates",
        "inserts and updates on both sides; a left update keeping its foreign key; result timestamps",
        Arrays.asList(
            pipe("right", "f1", "x1", 10),
            pipe("left", "a", "f1|A1", 20),
            pipe("left", "b", "f2|B1", 30),
            pipe("right", "f2", "y1", 25),
            pipe("right", "f1", "x2", 40),
            pipe("left", "a", "f1|A2", 35),
            pipe("left", "c", "f3|C1", 50),
            pipe("left", "c", "f3|C2", 55),
            pipe("left", "b", "f2|B2", 5)));
  }

  static Scenario foreignKeyChanges() {
    return both(
        "fkjoin-fk-changes",
        "a left row moves between foreign keys, to one without a right row and back; the old key's updates no longer reach it",
        Arrays.asList(
            pipe("right", "f1", "x1", 10),
            pipe("right", "f2", "y1", 10),
            pipe("left", "a", "f1|A1", 20),
            pipe("left", "a", "f2|A2", 30),
            pipe("left", "a", "f3|A3", 40),
            pipe("right", "f1", "x9", 50),
            pipe("right", "f2", "y9", 55),
            pipe("right", "f3", "z1", 60),
            pipe("left", "a", "f1|A4", 45)));
  }

  static Scenario deletes() {
    return both(
        "fkjoin-deletes",
        "deletes on the right (several subscribers, repeated, unknown key) and on the left (joined, repeated, unknown key)",
        Arrays.asList(
            pipe("right", "f1", "x1", 10),
            pipe("left", "a", "f1|A1", 20),
            pipe("left", "b", "f1|B1", 25),
            pipe("right", "f1", null, 30),
            pipe("right", "f1", "x2", 40),
            pipe("left", "a", null, 50),
            pipe("left", "a", null, 60),
            pipe("left", "z", null, 70),
            pipe("right", "f9", null, 80),
            pipe("right", "f1", null, 90),
            pipe("right", "f1", null, 95),
            pipe("left", "d", "f4|D1", 100),
            pipe("left", "d", null, 110)));
  }

  static Scenario nullForeignKey() {
    return both(
        "fkjoin-null-fk",
        "a left value whose foreign key is null: on insert, after a joined foreign key, and back",
        Arrays.asList(
            pipe("right", "f1", "x1", 10),
            pipe("left", "a", "|A0", 15),
            pipe("left", "a", "f1|A1", 20),
            pipe("left", "a", "|A2", 30),
            pipe("right", "f1", "x2", 40),
            pipe("left", "a", "|A3", 45),
            pipe("left", "a", null, 50),
            pipe("left", null, "f1|N1", 60)));
  }
}
