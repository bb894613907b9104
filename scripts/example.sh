#!/usr/bin/env bash
# From a fresh clone to the instrumented example service: installs pnpm and the dependencies,
# builds, prepares the example's database, then runs examples/shop-api under the preload.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm i -g "pnpm@$PNPM_VERSION"
fi
pnpm install --frozen-lockfile
bash scripts/ensure-services.sh
pnpm build

export PORT=${PORT:-8080}
export OTELKIT_OPS_PORT=${OTELKIT_OPS_PORT:-9464}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export OTEL_SERVICE_NAME=${OTEL_SERVICE_NAME:-shop-api}
export OTELKIT_HEALTH_CHECKS=${OTELKIT_HEALTH_CHECKS:-db=$DATABASE_URL,cache=$REDIS_URL}
# Traces go to a collector when one runs (docker compose -f otel-collector/compose.yaml up -d);
# without one they are dropped and counted, and the service runs as usual.
pnpm --filter shop-api run migrate

cat <<INFO

shop-api (instrumented with @otelkit/node):
  service   http://localhost:$PORT/products        http://localhost:$PORT/products/42
  metrics   http://localhost:$OTELKIT_OPS_PORT/metrics
  health    http://localhost:$OTELKIT_OPS_PORT/healthz   http://localhost:$OTELKIT_OPS_PORT/readyz
  load      pnpm otelkit load http://localhost:$PORT/products/42 --duration 10s

INFO
exec pnpm --filter shop-api run start:instrumented
