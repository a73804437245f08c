#!/usr/bin/env bash
# A real Apache Kafka 4.x broker (KRaft, combined broker+controller) from Maven Central jars.
#
#   tools/kafka/kafka.sh fetch                 download the broker jars once (cached in .kafka/libs)
#   tools/kafka/kafka.sh start  [--nodes 3]    start (idempotent) and wait until metadata answers
#   tools/kafka/kafka.sh stop   [--nodes 3]    SIGTERM, then SIGKILL after a timeout
#   tools/kafka/kafka.sh status [--nodes 3]    print pid and readiness; exit 0 only when ready
#   tools/kafka/kafka.sh kill9 N               kill -9 one node of the 3-node cluster (failover tests)
#   tools/kafka/kafka.sh bootstrap [--nodes 3] print the bootstrap servers
#   ... --secure                               the single-node broker with TLS listeners (.kafka/secure/),
#                                              apart from the plaintext one: SASL_SSL on 127.0.0.1:19094,
#                                              mutual TLS on 19096, a certificate for another name on 19097
#
# --secure makes, once per data dir, a throwaway CA, the broker's certificates and a client certificate
# with the JDK's keytool (.kafka/secure/tls/ca.pem is what clients trust) and creates SCRAM-SHA-256/512
# users at format time; .kafka/secure/client.json names the ports, the files and the users for tests.
#
# Env: KAFKA_HOME_DIR (default <repo>/.kafka), KAFKA_HEAP (default 512m), KAFKA_READY_TIMEOUT (s, default 90).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
home=${KAFKA_HOME_DIR:-$repo/.kafka}
libs=$home/libs
heap=${KAFKA_HEAP:-512m}
ready_timeout=${KAFKA_READY_TIMEOUT:-90}
# One fixed cluster id per data dir: re-formatting an existing dir with another id is refused by Kafka.
cluster_id=tributaryLocalKafka001w

cmd=${1:-status}; shift || true
nodes=1
node_arg=""
secure=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --secure) secure=1; shift ;;
    *) node_arg=$1; shift ;;
  esac
done
case "$nodes" in 1|3) ;; *) echo "kafka.sh: --nodes must be 1 or 3" >&2; exit 2 ;; esac
if [ "$secure" = 1 ] && [ "$nodes" != 1 ]; then echo "kafka.sh: --secure is single-node only" >&2; exit 2; fi

if [ "$secure" = 1 ]; then dir=$home/secure; elif [ "$nodes" = 1 ]; then dir=$home/single; else dir=$home/cluster3; fi
tls=$dir/tls
# Throwaway secrets of a local test broker, written to .kafka/secure/client.json for the tests; never real ones.
store_pass=tributary-local-store
admin_user=admin admin_pass=admin-local-secret
scram_user=tributary scram_pass=tributary-local-secret
plain_user=plain-user plain_pass=plain-local-secret

node_ids() { if [ "$nodes" = 1 ]; then echo 1; else echo 1 2 3; fi; }
port() { # port <node> <kind: client|controller|mtls|wrongname>
  if [ "$secure" = 1 ]; then
    case "$2" in client) echo 19094 ;; controller) echo 19095 ;; mtls) echo 19096 ;; wrongname) echo 19097 ;; esac
    return
  fi
  local base; if [ "$nodes" = 1 ]; then base=19; else base=2$1; fi
  if [ "$2" = client ]; then echo "${base}092"; else echo "${base}093"; fi
}
bootstrap() { local out="" n; for n in $(node_ids); do out="$out${out:+,}127.0.0.1:$(port "$n" client)"; done; echo "$out"; }
pidfile() { echo "$dir/node-$1.pid"; }
logfile() { echo "$dir/node-$1.log"; }
alive() { local p; p=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1; kill -0 "$p" 2>/dev/null; }

fetch() {
  if [ -f "$libs/.complete" ] && cmp -s "$here/pom.xml" "$libs/.complete"; then return 0; fi
  echo "kafka.sh: fetching broker jars from Maven Central into $libs" >&2
  # A fresh dir, otherwise jars of an older version stay beside the new ones and clash on the classpath.
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  cp "$here/pom.xml" "$libs/.complete"
}

java_opts() {
  echo "-Xms$heap -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
-XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
-Dkafka.logs.dir=$dir/logs -Dlog4j2.configurationFile=$here/log4j2.properties"
}

write_config() { # write_config <node>
  local n=$1 voters="" m
  for m in $(node_ids); do voters="$voters${voters:+,}$m@127.0.0.1:$(port "$m" controller)"; done
  local rf=1 isr=1
  [ "$nodes" = 3 ] && rf=3 && isr=2
  local listener=PLAINTEXT clients protocols
  [ "$secure" = 1 ] && listener=SASL_SSL
  clients="$listener://127.0.0.1:$(port "$n" client)"
  protocols="CONTROLLER:PLAINTEXT,$listener:$listener"
  if [ "$secure" = 1 ]; then
    # Two more TLS listeners for the failure cases: one that wants a client certificate (mTLS), one
    # whose certificate names another host (hostname verification must refuse it).
    clients="$clients,MTLS://127.0.0.1:$(port "$n" mtls),WRONGNAME://127.0.0.1:$(port "$n" wrongname)"
    protocols="$protocols,MTLS:SSL,WRONGNAME:SSL"
  fi
  cat > "$dir/node-$n.properties" <<CONF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=$clients,CONTROLLER://127.0.0.1:$(port "$n" controller)
advertised.listeners=$clients
controller.listener.names=CONTROLLER
inter.broker.listener.name=$listener
listener.security.protocol.map=$protocols
log.dirs=$dir/data-$n
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=$([ "$nodes" = 1 ] && echo 1 || echo 3)
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=$([ "$nodes" = 1 ] && echo 1 || echo 3)
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
log.cleaner.dedupe.buffer.size=16777216
log.segment.bytes=67108864
# No time-based retention on this development broker: tests and the demo replay event-time stamped
# data from 2025, and the default 7 days let the 5-minute retention check delete it mid-test.
log.retention.ms=-1
transaction.abort.timed.out.transaction.cleanup.interval.ms=5000
transaction.remove.expired.transaction.cleanup.interval.ms=10000
replica.lag.time.max.ms=5000
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
CONF
  [ "$secure" = 1 ] && secure_config >> "$dir/node-$n.properties"
  return 0
}

# The SASL_SSL listener: TLS with the keytool-made broker certificate, SCRAM-SHA-256/512 (users
# created by format --add-scram), PLAIN (users in the JAAS line) and OAUTHBEARER with Kafka's built-in
# unsecured validator (it accepts any unsigned JWT with a `sub` and a future `exp`: test use only, no
# identity provider needed). MTLS requires a client certificate signed by the CA; WRONGNAME serves a
# certificate for wrong-name.invalid. The controller listener stays plaintext on 127.0.0.1: only the
# broker in the same process talks to it.
secure_config() {
  cat <<CONF
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN,OAUTHBEARER
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$admin_user" password="$admin_pass";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$admin_user" password="$admin_pass" user_$admin_user="$admin_pass" user_$plain_user="$plain_pass";
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="$admin_user";
listener.name.mtls.ssl.client.auth=required
listener.name.wrongname.ssl.keystore.type=PKCS12
listener.name.wrongname.ssl.keystore.location=$tls/wrongname.p12
listener.name.wrongname.ssl.keystore.password=$store_pass
listener.name.wrongname.ssl.key.password=$store_pass
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/broker.p12
ssl.keystore.password=$store_pass
ssl.key.password=$store_pass
ssl.truststore.type=PKCS12
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.password=$store_pass
ssl.endpoint.identification.algorithm=https
CONF
}

# A CA; a broker key pair signed by it (SAN 127.0.0.1 and localhost, so hostname verification
# passes) and one for wrong-name.invalid only; a client key pair for mTLS, as PEM (PemKey.java: keytool
# cannot export a private key); the CA as PEM for Node clients and as a truststore for Java ones.
# Made once per data dir (client-key.pem is the last file made: a dir without it gets new ones).
make_certs() {
  [ -f "$tls/client-key.pem" ] && return 0
  if alive 1; then
    echo "kafka.sh: the running secure broker has certificates of an older kafka.sh; run stop --secure, then start --secure" >&2
    return 0
  fi
  rm -rf "$tls" && mkdir -p "$tls"
  local kt="keytool -storetype PKCS12 -storepass $store_pass -keypass $store_pass"
  $kt -genkeypair -keystore "$tls/ca.p12" -alias ca -keyalg RSA -keysize 2048 -validity 365 \
    -dname "CN=Tributary local test CA" -ext bc:c >/dev/null 2>&1
  $kt -exportcert -keystore "$tls/ca.p12" -alias ca -rfc -file "$tls/ca.pem" >/dev/null 2>&1
  $kt -importcert -keystore "$tls/truststore.p12" -alias ca -file "$tls/ca.pem" -noprompt >/dev/null 2>&1
  signed_pair broker "CN=localhost" SAN=ip:127.0.0.1,dns:localhost EKU=serverAuth
  signed_pair wrongname "CN=wrong-name.invalid" SAN=dns:wrong-name.invalid EKU=serverAuth
  signed_pair client "CN=tributary-client" EKU=clientAuth
  java -Xmx64m -XX:TieredStopAtLevel=1 "$here/PemKey.java" "$tls/client.p12" client "$store_pass" "$tls/client-key.pem" >/dev/null 2>&1 || true
  [ -f "$tls/ca.pem" ] && [ -f "$tls/truststore.p12" ] && [ -f "$tls/client-key.pem" ] || { echo "kafka.sh: keytool failed to make the test certificates" >&2; exit 1; }
}

signed_pair() { # signed_pair <name> <dname> <ext...>: <name>.p12 with a key pair signed by the CA, and <name>.pem
  local name=$1 dname=$2 ext=() e; shift 2
  for e in "$@"; do ext+=(-ext "$e"); done
  local kt="keytool -storetype PKCS12 -storepass $store_pass -keypass $store_pass"
  $kt -genkeypair -keystore "$tls/$name.p12" -alias "$name" -keyalg RSA -keysize 2048 -validity 365 -dname "$dname" >/dev/null 2>&1
  $kt -certreq -keystore "$tls/$name.p12" -alias "$name" -file "$tls/$name.csr" >/dev/null 2>&1
  $kt -gencert -keystore "$tls/ca.p12" -alias ca -infile "$tls/$name.csr" -outfile "$tls/$name.pem" -rfc -validity 365 \
    -ext KU=digitalSignature,keyEncipherment "${ext[@]}" >/dev/null 2>&1
  $kt -importcert -keystore "$tls/$name.p12" -alias ca -file "$tls/ca.pem" -noprompt >/dev/null 2>&1
  $kt -importcert -keystore "$tls/$name.p12" -alias "$name" -file "$tls/$name.pem" -noprompt >/dev/null 2>&1
}

# What clients need: Ready.java's properties, and client.json for the tests.
write_client_files() {
  cat > "$dir/client.properties" <<CONF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$admin_user" password="$admin_pass";
ssl.truststore.type=PKCS12
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.password=$store_pass
CONF
  cat > "$dir/client.json" <<JSON
{
  "bootstrapServers": "$(bootstrap)",
  "caFile": "$tls/ca.pem",
  "mtls": { "bootstrapServers": "127.0.0.1:$(port 1 mtls)", "certFile": "$tls/client.pem", "keyFile": "$tls/client-key.pem" },
  "wrongName": { "bootstrapServers": "127.0.0.1:$(port 1 wrongname)", "certificateName": "wrong-name.invalid" },
  "scram": { "username": "$scram_user", "password": "$scram_pass" },
  "plain": { "username": "$plain_user", "password": "$plain_pass" },
  "admin": { "username": "$admin_user", "password": "$admin_pass" }
}
JSON
}

format_args() { # SCRAM credentials go into the bootstrap metadata at format time
  [ "$secure" = 1 ] || return 0
  local m
  for m in SCRAM-SHA-256 SCRAM-SHA-512; do
    printf '%s\n' --add-scram "$m=[name=$admin_user,password=$admin_pass]" --add-scram "$m=[name=$scram_user,password=$scram_pass]"
  done
}

ready() { # metadata answers and lists every node (not just an open port)
  local props=()
  [ "$secure" = 1 ] && props=("$dir/client.properties")
  java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$libs/*" "$here/Ready.java" "$(bootstrap)" "$nodes" "${props[@]}" >/dev/null 2>&1
}

start() {
  # Starts wait for each other (CI runs broker test files two at a time, and two may start the same
  # broker): the second finds the nodes alive and only waits until they are ready.
  mkdir -p "$home"
  exec 9>"$home/.start.lock"
  flock 9
  fetch
  mkdir -p "$dir"
  if [ "$secure" = 1 ]; then make_certs; write_client_files; fi
  local n started=0 extra=()
  mapfile -t extra < <(format_args)
  for n in $(node_ids); do
    if alive "$n"; then continue; fi
    write_config "$n"
    mkdir -p "$dir/data-$n" "$dir/logs"
    java -Xmx256m -cp "$libs/*" -Dlog4j2.configurationFile="$here/log4j2.properties" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$dir/node-$n.properties" --ignore-formatted "${extra[@]}" >>"$(logfile "$n")" 2>&1 9>&-
    # setsid: the broker lives in its own session, so the caller's Ctrl-C does not kill it half-way;
    # stop() ends it by pid.
    # shellcheck disable=SC2046
    # 9>&-: the broker must not inherit the start lock, or it would hold it for as long as it runs.
    setsid java $(java_opts) -cp "$libs/*" kafka.Kafka "$dir/node-$n.properties" >>"$(logfile "$n")" 2>&1 < /dev/null 9>&- &
    echo $! > "$(pidfile "$n")"
    started=1
  done
  local deadline=$((SECONDS + ready_timeout))
  until ready; do
    for n in $(node_ids); do
      if ! alive "$n"; then echo "kafka.sh: node $n exited during start; last log lines:" >&2; tail -n 30 "$(logfile "$n")" >&2; exit 1; fi
    done
    if [ $SECONDS -ge $deadline ]; then echo "kafka.sh: not ready after ${ready_timeout}s (logs: $dir/node-*.log)" >&2; exit 1; fi
    sleep 1
  done
  [ $started = 1 ] && echo "kafka.sh: $( [ "$secure" = 1 ] && echo "SASL_SSL" || echo "$nodes-node") broker ready at $(bootstrap)" >&2
  bootstrap
}

stop() {
  local n p
  for n in $(node_ids); do
    p=$(cat "$(pidfile "$n")" 2>/dev/null) || continue
    kill -TERM "$p" 2>/dev/null || true
  done
  local deadline=$((SECONDS + ${KAFKA_STOP_TIMEOUT:-30}))
  for n in $(node_ids); do
    p=$(cat "$(pidfile "$n")" 2>/dev/null) || continue
    while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
    if kill -0 "$p" 2>/dev/null; then echo "kafka.sh: node $n did not stop in time, SIGKILL" >&2; kill -KILL "$p" 2>/dev/null || true; fi
    rm -f "$(pidfile "$n")"
  done
}

status() {
  local n
  for n in $(node_ids); do
    if alive "$n"; then echo "node $n: running (pid $(cat "$(pidfile "$n")"), port $(port "$n" client))"; else echo "node $n: stopped"; fi
  done
  if ready; then echo "ready: $(bootstrap)"; else echo "not ready"; return 1; fi
}

case "$cmd" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  bootstrap) bootstrap ;;
  reset) stop; rm -rf "$dir" ;;
  kill9)
    [ -n "$node_arg" ] || { echo "kafka.sh: kill9 needs a node number" >&2; exit 2; }
    p=$(cat "$(pidfile "$node_arg")"); kill -KILL "$p"; rm -f "$(pidfile "$node_arg")" ;;
  startnode)
    [ -n "$node_arg" ] || { echo "kafka.sh: startnode needs a node number" >&2; exit 2; }
    alive "$node_arg" || { setsid java $(java_opts) -cp "$libs/*" kafka.Kafka "$dir/node-$node_arg.properties" >>"$(logfile "$node_arg")" 2>&1 < /dev/null & echo $! > "$(pidfile "$node_arg")"; } ;;
  *) echo "usage: kafka.sh fetch|start|stop|status|bootstrap|reset|kill9 N|startnode N [--nodes 1|3 | --secure]" >&2; exit 2 ;;
esac
