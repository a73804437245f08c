#!/usr/bin/env bash
# The demo: installs what is missing, starts the local Kafka broker unless KAFKA_BOOTSTRAP_SERVERS is
# set, runs the campaign-views pipeline end to end and prints what it wrote. Leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PWD/.tools/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1
started_broker=0
cleanup() { if [ $started_broker = 1 ]; then bash tools/kafka/kafka.sh stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  if ! bash tools/kafka/kafka.sh status >/dev/null 2>&1; then started_broker=1; fi
  KAFKA_BOOTSTRAP_SERVERS=$(bash tools/kafka/kafka.sh start)
  export KAFKA_BOOTSTRAP_SERVERS
fi
echo "demo: Kafka at $KAFKA_BOOTSTRAP_SERVERS"
tsx apps/campaign-views/src/demo.ts "$@"
