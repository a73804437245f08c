#!/usr/bin/env bash
# The benchmark suite in one command: install, start the local broker (unless KAFKA_BOOTSTRAP_SERVERS
# points at one), run bench/src/run-suite.ts with the given arguments, and stop the broker again if this
# script started it. The suite's build step (unless --no-build) packages the Kafka Streams peer and
# bundles the Node peers into bench/dist/, which run under plain node (--tsx-peers: from source).
# Example: npm run bench -- --records 1000000 --partitions 8 --runs 3
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1
started=false
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && ! bash tools/kafka/kafka.sh status >/dev/null 2>&1; then
  bash tools/kafka/kafka.sh start >&2
  started=true
fi
stop() { if [ "$started" = true ]; then bash tools/kafka/kafka.sh stop >&2; fi; }
trap stop EXIT
tsx bench/src/run-suite.ts "$@"
