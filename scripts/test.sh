#!/usr/bin/env bash
# The one test command (README, CI): install, lint, typecheck, unit tests, then integration tests on a
# real Kafka broker that the test setup starts and this script always stops. Ends with the plain line
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$PWD/node_modules/.bin:$PWD/.tools/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1
stop_brokers() {
  bash tools/kafka/kafka.sh stop >/dev/null 2>&1
  bash tools/kafka/kafka.sh stop --nodes 3 >/dev/null 2>&1
  bash tools/kafka/kafka.sh stop --secure >/dev/null 2>&1 # the SASL_SSL broker the security tests start
}
trap stop_brokers EXIT

results=.test-results
rm -rf "$results" && mkdir -p "$results"
failed_steps=()

step() { # step <name> <command...>
  local name=$1; shift
  echo "== $name" >&2
  "$@" || failed_steps+=("$name")
}

step lint biome check .
step typecheck tsc -p tsconfig.json --noEmit
# The unit tests include tools/build/build.test.ts: it runs the production build (the bundles in dist/
# that `pnpm build` writes) and starts each app's bundle under plain node, so CI builds here.
step unit vitest run --project unit --reporter=default --reporter=json --outputFile="$results/unit.json"
# One broker for every integration project (unless KAFKA_BOOTSTRAP_SERVERS names one): started here,
# so the projects' global setups find it instead of each racing to start their own.
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  if servers=$(bash tools/kafka/kafka.sh start | tail -n 1); then
    export KAFKA_BOOTSTRAP_SERVERS=$servers
  else
    failed_steps+=("broker")
  fi
fi
# The integration projects ci-* of vitest.config.ts: every broker test file, plus the rebalance,
# exactly-once and restore tests again on the second client adapter (issue 18), two files at a time
# in the schedule the config explains.
step integration vitest run --project 'ci-*' --reporter=default --reporter=json \
  --outputFile="$results/integration.json"

node scripts/test-summary.mjs "${#failed_steps[@]}" "$results"/*.json
status=$?
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]}" >&2; exit 1; fi
exit $status
