#!/usr/bin/env bash
# Benchmarks for policy-service (see policy-service/README.md#benchmarks for the latest numbers).
#  1. in-process evaluation latency over the labelled corpus, next to two baselines in the same run;
#  2. HTTP decision latency at a fixed offered rate with wrk on loopback, next to /q/health/live (the HTTP
#     stack's floor; on the management port, a second Vert.x server of the same JVM) at the same rate.
# Usage: bench/policy-service/run.sh [rounds] [rate] [seconds]   (defaults 200, 1000, 20)
#        BENCH_PARTS=eval|http runs only one part.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-200}"
RATE="${2:-1000}"
SECONDS_PER_RUN="${3:-20}"
# wrk paces each connection with delay() between a response and the next request (no fixed-rate mode), so the
# achieved rate falls below the offered one when latency grows: the output reports both.
CONNECTIONS=10
PARTS="${BENCH_PARTS:-all}"
export RATE CONNECTIONS
APP=policy-service/target/quarkus-app
if [[ ! -f "$APP/quarkus-run.jar" ]]; then
  mvn -B -ntp -q -pl policy-service package -DskipTests
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"

if [[ "$PARTS" != http ]]; then
  echo "== 1. in-process evaluation latency"
  java -cp "$APP/app/*:$APP/lib/main/*" bench/policy-service/EvaluationBench.java \
    policies/tests "$ROUNDS" 2>/dev/null
fi
[[ "$PARTS" == eval ]] && exit 0

echo "== 2. HTTP latency with wrk at $RATE req/s offered, $CONNECTIONS connections, ${SECONDS_PER_RUN}s each"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MGMT_PORT=$(free_port)
LOG=$(mktemp)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
  java -jar "$APP/quarkus-run.jar" >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$MGMT_PORT/q/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$MGMT_PORT/q/health/ready" >/dev/null || { echo "service did not become ready"; cat "$LOG"; exit 1; }
# warm-up: let the JIT see the decision path before measuring
wrk -t2 -c"$CONNECTIONS" -d5s -s bench/policy-service/decisions.lua "http://127.0.0.1:$PORT" >/dev/null
for target in /q/health/live /v1/decisions; do
  echo "-- $target"
  port=$PORT
  [[ "$target" == /q/* ]] && port=$MGMT_PORT
  TARGET_PATH=$target wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency \
    -s bench/policy-service/decisions.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency  |50%|75%|90%|99%|requests in|Non-2xx|Socket errors"
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
