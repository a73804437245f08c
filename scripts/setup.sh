#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine (Node 20, Java 17, Maven): pnpm into .tools/,
# the workspace's dependencies, and the Kafka broker jars. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.8
if [ ! -x .tools/node_modules/.bin/pnpm ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION into .tools/" >&2
  npm install --prefix .tools --no-save --no-package-lock --loglevel=error "pnpm@$PNPM_VERSION" >&2
fi
if [ "${CI:-}" = true ]; then frozen=--frozen-lockfile; else frozen=--prefer-offline; fi
.tools/node_modules/.bin/pnpm install $frozen --reporter=append-only >&2
bash tools/kafka/kafka.sh fetch
