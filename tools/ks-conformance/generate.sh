#!/usr/bin/env bash
# Regenerates the conformance fixtures: compiles the scenarios against Kafka Streams 4.1.1 and its
# kafka-streams-test-utils (from Maven Central), runs each through Kafka Streams' TopologyTestDriver
# and writes fixtures/<scenario>.json. CI does not run this; it replays the committed fixtures.
# Usage: bash tools/ks-conformance/generate.sh [scenario-name ...]
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
java -cp "target/classes:$(cat target/classpath.txt)" conformance.Generate fixtures "$@"
