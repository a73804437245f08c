// Exit 0 when the cluster's metadata lists the expected number of brokers and a controller answers.
// Run with the single-file source launcher: java -cp ".kafka/libs/*" Ready.java <bootstrap> <nodes>
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;

public class Ready {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
    int expected = Integer.parseInt(args[1]);
    try (Admin admin = Admin.create(p)) {
      DescribeClusterResult r = admin.describeCluster();
      int nodes = r.nodes().get(5, TimeUnit.SECONDS).size();
      r.controller().get(5, TimeUnit.SECONDS);
      System.out.println("brokers=" + nodes);
      System.exit(nodes >= expected ? 0 : 1);
    } catch (Exception e) {
      System.err.println(e);
      System.exit(1);
    }
  }
}
