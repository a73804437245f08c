package bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Kafka Streams peer of Tributary's campaign-views topology (and a stateless pass-through, and the
 * view-click stream-stream join of bench/src/peers/join-topology.ts), for the drain benchmark in bench/. Arguments: --key=value (see usage()); every key can also come from the
 * environment as KS_<KEY> (upper case, dashes to underscores).
 */
public final class Peer {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  static final long MAX_SAFE = 9007199254740991L;
  static final long BAD = Long.MIN_VALUE;
  static final Pattern ISO =
      Pattern.compile("^(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})?$");
  static final AtomicLong INVALID = new AtomicLong();
  static final AtomicLong VALID = new AtomicLong();

  /** A validated view (same rules as apps/campaign-views/src/view.ts). */
  record View(String viewId, long start, long end, long bannerId, long campaignId) {}

  /** A source record: its original bytes and the view, or null if invalid. */
  record Parsed(byte[] raw, View view) {}

  record Campaign(long networkId, long campaignId, String name) {}

  /** A validated click (same rules as apps/campaign-ctr/src/click.ts). */
  record Click(String clickId, String viewId, long ts) {}

  /** A click-log record: its original bytes and the click, or null if invalid. */
  record ParsedClick(byte[] raw, Click click) {}

  record Acc(long count, long durationMs) {}

  static Long safeInt(JsonNode v) {
    if (v == null || !v.isNumber()) return null;
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) return null;
      long l = v.longValue();
      return Math.abs(l) <= MAX_SAFE ? l : null;
    }
    double d = v.doubleValue();
    return d == Math.rint(d) && Math.abs(d) <= MAX_SAFE ? (long) d : null;
  }

  static long timestamp(JsonNode v) {
    if (v == null) return BAD;
    if (v.isNumber()) {
      Long l = safeInt(v);
      return l != null && l >= 0 ? l : BAD;
    }
    if (!v.isTextual()) return BAD;
    Matcher m = ISO.matcher(v.textValue());
    if (!m.matches()) return BAD;
    try {
      int nanos = 0;
      if (m.group(7) != null) {
        String frac = (m.group(7).substring(1) + "000").substring(0, 3); // JS keeps milliseconds
        nanos = Integer.parseInt(frac) * 1_000_000;
      }
      LocalDateTime t = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)), nanos);
      ZoneOffset zone = m.group(8) == null ? ZoneOffset.UTC : ZoneOffset.of(m.group(8));
      return t.toInstant(zone).toEpochMilli();
    } catch (DateTimeException | NumberFormatException e) {
      return BAD;
    }
  }

  /** The record as a JSON object, or null if it is not one (bad JSON, not an object, no bytes). */
  static JsonNode readObject(byte[] bytes) {
    if (bytes == null) return null;
    try {
      JsonNode n = MAPPER.readTree(bytes);
      return n != null && n.isObject() ? n : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** A non-empty string field, or null. */
  static String nonEmptyText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
  }

  static View parseView(byte[] bytes) {
    JsonNode n = readObject(bytes);
    if (n == null) return null;
    String viewId = nonEmptyText(n, "view_id");
    if (viewId == null) return null;
    Long banner = safeInt(n.get("banner_id"));
    if (banner == null) return null;
    Long campaign = safeInt(n.get("campaign_id"));
    if (campaign == null) return null;
    long start = timestamp(n.get("start_timestamp"));
    if (start == BAD) return null;
    long end = timestamp(n.get("end_timestamp"));
    if (end == BAD || end < start) return null;
    return new View(viewId, start, end, banner, campaign);
  }

  /** The normalized view as JSON (what the pass-through writes, and the repartition topic carries). */
  static byte[] viewJson(View v) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("view_id", v.viewId());
    o.put("start", v.start());
    o.put("end", v.end());
    o.put("banner_id", v.bannerId());
    o.put("campaign_id", v.campaignId());
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static View viewFromNormalizedJson(byte[] b) {
    try {
      JsonNode n = MAPPER.readTree(b);
      return new View(n.get("view_id").textValue(), n.get("start").longValue(), n.get("end").longValue(),
          n.get("banner_id").longValue(), n.get("campaign_id").longValue());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> Serde<T> serde(Serializer<T> s, Deserializer<T> d) {
    return Serdes.serdeFrom(s, d);
  }

  static final Serde<Parsed> PARSED = serde((t, p) -> p == null ? null : p.raw(), (t, b) -> {
    View v = parseView(b);
    if (v == null) INVALID.incrementAndGet();
    else VALID.incrementAndGet();
    return new Parsed(b, v);
  });
  static final Serde<View> VIEW = serde((t, v) -> v == null ? null : viewJson(v), (t, b) -> b == null ? null : viewFromNormalizedJson(b));
  static final Serde<Acc> ACC = serde(
      (t, a) -> a == null ? null : ByteBuffer.allocate(16).putLong(a.count()).putLong(a.durationMs()).array(),
      (t, b) -> {
        if (b == null) return null;
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new Acc(bb.getLong(), bb.getLong());
      });
  static final Serde<Campaign> CAMPAIGN = serde((t, c) -> {
    throw new UnsupportedOperationException("read-only");
  }, (t, b) -> {
    if (b == null) return null;
    try {
      JsonNode n = MAPPER.readTree(b);
      return new Campaign(n.get("network_id").longValue(), n.get("campaign_id").longValue(), n.get("campaign_name").textValue());
    } catch (Exception e) {
      return null;
    }
  });

  /** Event time = the view's start; invalid records keep their record timestamp (they only go to the DLQ). */
  static final class ViewTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> r, long partitionTime) {
      if (r.value() instanceof Parsed p && p.view() != null) return p.view().start();
      return r.timestamp() >= 0 ? r.timestamp() : Math.max(0, partitionTime);
    }
  }

  static String rowJson(Windowed<Long> w, Acc a, Campaign c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("campaign_id", w.key());
    if (c == null) {
      o.putNull("network_id");
      o.putNull("campaign_name");
    } else {
      o.put("network_id", c.networkId());
      o.put("campaign_name", c.name());
    }
    o.put("minute_timestamp", w.window().start());
    o.put("view_count", a.count());
    o.put("avg_duration", (double) a.durationMs() / a.count() / 1000.0);
    return o.toString();
  }

  static Map<String, KStream<String, Parsed>> source(StreamsBuilder b, Map<String, String> a) {
    KStream<String, Parsed> src = b.stream(java.util.Arrays.asList(a.get("input-topic").split(",")),
        Consumed.with(Serdes.String(), PARSED).withTimestampExtractor(new ViewTime()).withName("view-log"));
    Map<String, KStream<String, Parsed>> br = src.split(Named.as("v-"))
        .branch((k, p) -> p.view() != null, Branched.as("valid"))
        .defaultBranch(Branched.as("invalid"));
    br.get("v-invalid").mapValues(Parsed::raw, Named.as("raw-bytes"))
        .to(a.get("dlq"), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("to-dlq"));
    return br;
  }

  static void fullTopology(StreamsBuilder b, Map<String, String> a) {
    GlobalKTable<String, Campaign> campaigns = b.globalTable(a.get("campaigns"),
        Consumed.with(Serdes.String(), CAMPAIGN).withName("campaigns-source"),
        Materialized.as("campaigns"));
    long graceMs = Long.parseLong(a.get("grace-ms"));
    source(b, a).get("v-valid")
        .map((k, p) -> KeyValue.pair(p.view().campaignId(), p.view()), Named.as("key-by-campaign"))
        .groupByKey(Grouped.with("campaign-minute", Serdes.Long(), VIEW))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofMillis(graceMs)))
        .aggregate(() -> new Acc(0, 0), (k, v, acc) -> new Acc(acc.count() + 1, acc.durationMs() + (v.end() - v.start())),
            Named.as("campaign-minute-aggregate"),
            Materialized.<Long, Acc, WindowStore<Bytes, byte[]>>as("campaign-minute").withKeySerde(Serdes.Long()).withValueSerde(ACC))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("final-minutes"))
        .toStream(Named.as("final-minutes-stream"))
        .leftJoin(campaigns, (w, acc) -> String.valueOf(w.key()), (w, acc, c) -> rowJson(w, acc, c), Named.as("join-campaigns"))
        .selectKey((w, row) -> w.key() + "@" + w.window().start(), Named.as("row-key"))
        .to(a.get("output"), Produced.with(Serdes.String(), Serdes.String()).withName("to-output-topic"));
  }

  static Click parseClick(byte[] bytes) {
    JsonNode n = readObject(bytes);
    if (n == null) return null;
    String clickId = nonEmptyText(n, "click_id");
    String viewId = nonEmptyText(n, "view_id");
    if (clickId == null || viewId == null) return null;
    long ts = timestamp(n.get("click_timestamp"));
    return ts == BAD ? null : new Click(clickId, viewId, ts);
  }

  static final Serde<ParsedClick> PARSED_CLICK = serde((t, p) -> p == null ? null : p.raw(), (t, b) -> {
    Click c = parseClick(b);
    if (c == null) INVALID.incrementAndGet();
    else VALID.incrementAndGet();
    return new ParsedClick(b, c);
  });

  static final Serde<Click> CLICK = serde((t, c) -> {
    if (c == null) return null;
    ObjectNode o = MAPPER.createObjectNode();
    o.put("click_id", c.clickId());
    o.put("view_id", c.viewId());
    o.put("ts", c.ts());
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }, (t, b) -> {
    if (b == null) return null;
    try {
      JsonNode n = MAPPER.readTree(b);
      return new Click(n.get("click_id").textValue(), n.get("view_id").textValue(), n.get("ts").longValue());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  });

  /** Event time = the click's; invalid records keep their record timestamp (they only go to the DLQ). */
  static final class ClickTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> r, long partitionTime) {
      if (r.value() instanceof ParsedClick p && p.click() != null) return p.click().ts();
      return r.timestamp() >= 0 ? r.timestamp() : Math.max(0, partitionTime);
    }
  }

  static String pairJson(View v, Click c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("view_id", v.viewId());
    o.put("click_id", c.clickId());
    o.put("campaign_id", v.campaignId());
    o.put("view_start", v.start());
    o.put("click_ts", c.ts());
    return o.toString();
  }

  /** Views and clicks re-keyed by view_id (repartitioned), inner join of a click within [view, view + 10 min]. */
  static void joinTopology(StreamsBuilder b, Map<String, String> a) {
    KStream<String, View> views = source(b, a).get("v-valid")
        .map((k, p) -> KeyValue.pair(p.view().viewId(), p.view()), Named.as("views-by-view-id"));
    KStream<String, ParsedClick> clickSrc = b.stream(a.get("click-topic"),
        Consumed.with(Serdes.String(), PARSED_CLICK).withTimestampExtractor(new ClickTime()).withName("click-log"));
    Map<String, KStream<String, ParsedClick>> br = clickSrc.split(Named.as("c-"))
        .branch((k, p) -> p.click() != null, Branched.as("valid"))
        .defaultBranch(Branched.as("invalid"));
    br.get("c-invalid").mapValues(ParsedClick::raw, Named.as("raw-click-bytes"))
        .to(a.get("dlq"), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("clicks-to-dlq"));
    KStream<String, Click> clicks = br.get("c-valid")
        .map((k, p) -> KeyValue.pair(p.click().viewId(), p.click()), Named.as("clicks-by-view-id"));
    long windowMs = Long.parseLong(a.get("click-window-ms"));
    long graceMs = Long.parseLong(a.get("grace-ms"));
    views.join(clicks, Peer::pairJson,
            JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(windowMs), Duration.ofMillis(graceMs)).before(Duration.ZERO),
            StreamJoined.with(Serdes.String(), VIEW, CLICK).withName("views-clicks").withStoreName("views-clicks"))
        .to(a.get("output"), Produced.with(Serdes.String(), Serdes.String()).withName("to-output-topic"));
  }

  static void passThrough(StreamsBuilder b, Map<String, String> a) {
    source(b, a).get("v-valid")
        .mapValues(p -> viewJson(p.view()), Named.as("normalize"))
        .to(a.get("output"), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("to-output-topic"));
  }

  static Map<String, String> args(String[] argv) {
    Map<String, String> a = new HashMap<>(Map.of(
        "mode", "full", "bootstrap-servers", "127.0.0.1:19092", "threads", "1", "commit-ms", "1000",
        "guarantee", "at_least_once", "state-dir", "/tmp/kstreams-peer", "grace-ms", "10000",
        "campaigns", "campaigns", "click-window-ms", "600000"));
    for (String k : new String[] {"mode", "bootstrap-servers", "app-id", "input-topic", "output", "campaigns", "dlq", "threads",
        "commit-ms", "guarantee", "state-dir", "grace-ms", "click-topic", "click-window-ms"}) {
      String env = System.getenv("KS_" + k.toUpperCase().replace('-', '_'));
      if (env != null) a.put(k, env);
    }
    for (String s : argv) {
      if (!s.startsWith("--") || !s.contains("=")) throw new IllegalArgumentException("expected --key=value, got " + s + "\n" + usage());
      a.put(s.substring(2, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
    }
    for (String k : new String[] {"app-id", "input-topic", "output"}) {
      if (!a.containsKey(k)) throw new IllegalArgumentException("missing --" + k + "\n" + usage());
    }
    a.putIfAbsent("dlq", a.get("input-topic").split(",")[0] + "-dlq");
    return a;
  }

  static String usage() {
    return "java -cp classes:lib/* bench.Peer --mode=full|passthrough|join [--click-topic=TOPIC (join)] [--click-window-ms=600000] --bootstrap-servers=127.0.0.1:19092 --app-id=ID "
        + "--input-topic=TOPIC[,FLUSH_TOPIC] --output=TOPIC [--campaigns=TOPIC] [--dlq=TOPIC] [--threads=1] [--commit-ms=1000] "
        + "[--guarantee=at_least_once|exactly_once_v2] [--state-dir=DIR] [--grace-ms=10000]";
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = args(argv);
    StreamsBuilder b = new StreamsBuilder();
    if (a.get("mode").equals("full")) fullTopology(b, a);
    else if (a.get("mode").equals("passthrough")) passThrough(b, a);
    else if (a.get("mode").equals("join")) {
      if (!a.containsKey("click-topic")) throw new IllegalArgumentException("missing --click-topic\n" + usage());
      joinTopology(b, a);
    }
    else throw new IllegalArgumentException("unknown mode " + a.get("mode"));

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, a.get("app-id"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("bootstrap-servers"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(a.get("threads")));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(a.get("commit-ms")));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, a.get("guarantee"));
    p.put(StreamsConfig.STATE_DIR_CONFIG, a.get("state-dir"));
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    Properties topo = new Properties();
    topo.putAll(p);
    var topology = b.build(topo);
    if (System.getenv("KS_DESCRIBE") != null) System.err.println(topology.describe());

    KafkaStreams streams = new KafkaStreams(topology, p);
    CountDownLatch done = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("FATAL " + e);
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      System.out.println("{\"event\":\"state\",\"state\":\"" + now + "\",\"t\":" + System.currentTimeMillis() + "}");
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) done.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(20));
      System.out.println("{\"event\":\"stopped\",\"valid\":" + VALID.get() + ",\"invalid\":" + INVALID.get() + "}");
      System.out.flush();
    }));
    streams.start();
    done.await();
  }
}
