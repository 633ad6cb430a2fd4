#!/usr/bin/env bash
# What a tool call costs transcript-service and its PostgreSQL in CPU, for this build next to a baseline build, side
# by side in one run: each build gets its own throwaway PostgreSQL 15 (settings as bench/guard's) and the same load
# at the same time (per_call.py), so that whatever else the machine does hits both alike.
#
# The transcript uploads go through the real claude-transcript-sync (hook-client's env-configured build);
# BASELINE_SYNC_CLIENT=<an older build's claude-transcript-sync> drives the baseline with that one.
#
# usage: bench/transcript-service/per-call.sh BASELINE_APP_DIR     (a copy of an older target/quarkus-app)
#        ROUNDS=3 CALLS=540 SYNCS=120 bench/transcript-service/per-call.sh <copy of an older build>/quarkus-app
# needs: mvn -B -ntp -pl hook-client,transcript-service -am package -DskipTests; postgresql-15; python3; root.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
BASELINE=${1:?usage: per-call.sh BASELINE_APP_DIR}
ROUNDS=${ROUNDS:-3}
CALLS=${CALLS:-540}
SYNCS=${SYNCS:-120}
SYNC_CLIENT_this=$PWD/hook-client/target/local/claude-transcript-sync
# shellcheck disable=SC2034  # read by drive() through ${!client}
SYNC_CLIENT_baseline=${BASELINE_SYNC_CLIENT:-$SYNC_CLIENT_this}
[ -x "$SYNC_CLIENT_this" ] || { echo "bench: $SYNC_CLIENT_this missing: mvn -B -ntp -pl hook-client package" >&2; exit 1; }
SERVICE_TOKEN=bench-service-token-not-secret
USER_TOKEN=bench-user-token-not-secret
[ -f "$BASELINE/quarkus-run.jar" ] || { echo "bench: $BASELINE/quarkus-run.jar missing" >&2; exit 1; }
jar transcript-service >/dev/null
bench_init per-call
pg_stop_all() {
  for build in baseline this; do bench_postgres_stop "$WORK/$build"; done
}
trap 'pg_stop_all; bench_cleanup' EXIT
chown postgres "$WORK" && chmod 755 "$WORK"

# start BUILD APP_DIR: PostgreSQL and transcript-service for one build; sets URL_<build>, PID_<build>, PG_<build>.
start() {
  local dir=$WORK/$1 pg_port port mgmt_port
  mkdir -p "$dir/user-tokens" && echo "$USER_TOKEN" >"$dir/user-tokens/bench"
  chown postgres "$dir"
  pg_port=$(free_port) port=$(free_port) mgmt_port=$(free_port)
  bench_postgres_start "$dir" "$pg_port"
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT=$mgmt_port QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$pg_port/bench" \
    QUARKUS_DATASOURCE_USERNAME=bench QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=$SERVICE_TOKEN \
    TRANSCRIPT_READ_TOKEN=bench-read-token-not-secret CLAUDE_TELEMETRY_USER_TOKENS_DIR=$dir/user-tokens \
    TRANSCRIPT_RETENTION_ENABLED=false \
    java "${SERVICE_JAVA_OPTS[@]}" -jar "$2/quarkus-run.jar" >"$dir/service.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_$1" %s "$!"
  printf -v "URL_$1" %s "http://127.0.0.1:$port"
  printf -v "PG_$1" %s "$(head -1 "$dir/pg/postmaster.pid")"
  wait_http "http://127.0.0.1:$mgmt_port/q/health/ready"
}
start baseline "$BASELINE"
start this "$ROOT/transcript-service/target/quarkus-app"

# drive BUILD MODE N [BATCH]
drive() {
  local url=URL_$1 pid=PID_$1 pg=PG_$1 client=SYNC_CLIENT_$1
  SYNC_CLIENT=${!client} python3 bench/transcript-service/per_call.py "$2" "$3" "${!url}" "$SERVICE_TOKEN" "$USER_TOKEN" "${!pid}" "${!pg}" \
    "${4:-3}"
}
# both MODE N: the same load on both builds at once; prints one line per build.
both() {
  drive baseline "$@" >"$WORK/baseline.out" &
  drive this "$@" >"$WORK/this.out"
  wait "$!"
  echo "baseline $(cat "$WORK/baseline.out")"
  echo "this     $(cat "$WORK/this.out")"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
# Warm-up: the JIT compilers of both services compile the request paths before anything is counted.
both events 4000 >/dev/null
both uploads 1500 >/dev/null
both calls 90 >/dev/null
echo "## Idle, 30 s (both at once)"
both idle 30
echo "## Paced tool calls ($CALLS per round, a call every 0.11 s, both builds at once)"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  both calls "$CALLS"
done
echo "## Paced uploads through claude-transcript-sync ($SYNCS per round, one every 0.5 s, both builds at once)"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  both syncs "$SYNCS"
done
echo "## Back to back (one build after the other): 1000 tool calls' events in batches of 3, then 300 uploads"
for build in baseline this this baseline; do echo "$build $(drive "$build" events 1000)"; done
for build in baseline this this baseline; do echo "$build $(drive "$build" uploads 300)"; done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
