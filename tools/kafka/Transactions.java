// Prints, per partition of the given topics, the high watermark, the last stable offset and the
// producers with an open transaction there (a "hanging" transaction holds read_committed readers at
// the LSO). A diagnostic for the failover tests. Run with the single-file source launcher:
//   java -cp ".kafka/libs/*" tools/kafka/Transactions.java <bootstrap> <topic>...
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

public class Transactions {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      var topics = List.of(args).subList(1, args.length);
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS).values())
        d.partitions().forEach(tp -> specs.put(new TopicPartition(d.name(), tp.partition()), OffsetSpec.latest()));
      var high = admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(15, TimeUnit.SECONDS);
      var stable = admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(15, TimeUnit.SECONDS);
      var producers = admin.describeProducers(specs.keySet()).all().get(15, TimeUnit.SECONDS);
      specs.keySet().stream().sorted((a, b) -> a.toString().compareTo(b.toString())).forEach(tp -> {
        StringBuilder open = new StringBuilder();
        for (ProducerState s : producers.get(tp).activeProducers())
          if (s.currentTransactionStartOffset().isPresent())
            open.append(" open(pid=").append(s.producerId()).append(" epoch=").append(s.producerEpoch())
                .append(" from=").append(s.currentTransactionStartOffset().getAsLong())
                .append(" lastTs=").append(s.lastTimestamp()).append(")");
        System.out.println(tp + " high=" + high.get(tp).offset() + " lso=" + stable.get(tp).offset() + open);
      });
    }
  }
}
