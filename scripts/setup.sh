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
# Chromium from the OS packages, for the status page's browser test (playwright-core drives it).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt-get)" >&2
    apt-get install -y --no-install-recommends chromium >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends chromium >&2; }
  else
    echo "setup: chromium missing; install it (e.g. sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
  fi
fi
