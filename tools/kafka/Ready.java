// Exit 0 when the cluster's metadata lists the expected number of brokers, a controller answers, and
// every partition of every existing topic answers ListOffsets (right after a restart, partitions are
// listed with a leader before that leader serves them: clients then get NOT_LEADER_OR_FOLLOWER).
// Run with the single-file source launcher: java -cp ".kafka/libs/*" Ready.java <bootstrap> <nodes> [client.properties]
// (the properties file carries the security settings of the --secure broker).
import java.io.FileInputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

public class Ready {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
    if (args.length > 2) {
      try (FileInputStream in = new FileInputStream(args[2])) {
        p.load(in);
      }
    }
    int expected = Integer.parseInt(args[1]);
    try (Admin admin = Admin.create(p)) {
      DescribeClusterResult r = admin.describeCluster();
      int nodes = r.nodes().get(5, TimeUnit.SECONDS).size();
      r.controller().get(5, TimeUnit.SECONDS);
      System.out.println("brokers=" + nodes);
      if (nodes < expected) System.exit(1);
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      var topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
        d.partitions().forEach(tp -> partitions.put(new TopicPartition(d.name(), tp.partition()), OffsetSpec.latest()));
      }
      admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
      System.out.println("partitions=" + partitions.size());
      System.exit(0);
    } catch (Exception e) {
      System.err.println(e);
      System.exit(1);
    }
  }
}
