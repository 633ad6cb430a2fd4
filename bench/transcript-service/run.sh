#!/usr/bin/env bash
# Benchmark of transcript-service: upload throughput (lines/s) and search latency p95 over LINES stored lines,
# each beside a baseline measured in the same run (see bench.py). Everything runs on 127.0.0.1: a throwaway
# PostgreSQL 15 (fsync off: this measures the service, not the disk) and the packaged jar.
#
# usage: bench/transcript-service/run.sh [LINES] [LINES_PER_SESSION]     (defaults: 1000000 1000)
# needs: mvn -B -ntp -pl transcript-service package -DskipTests; postgresql-15; python3; run as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
LINES=${1:-1000000}
PER_SESSION=${2:-1000}
JAR=transcript-service/target/quarkus-app/quarkus-run.jar
PGBIN=/usr/lib/postgresql/15/bin
[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -ntp -pl transcript-service package -DskipTests" >&2; exit 1; }

work=$(mktemp -d /tmp/tsbench.XXXXXX)
chown postgres "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port)
app_port=$(free_port)
mgmt_port=$(free_port)
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

runuser -u postgres -- "$PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$work/data" >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -w -l "$work/pg.log" \
  -o "-p $pg_port -h 127.0.0.1 -k $work -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB" start >/dev/null
psql=(runuser -u postgres -- "$PGBIN/psql" -h "$work" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q)
"${psql[@]}" -d postgres -c "CREATE ROLE bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench"

QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$app_port \
QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$mgmt_port \
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$pg_port/bench" QUARKUS_DATASOURCE_USERNAME=bench \
QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=bench-write TRANSCRIPT_READ_TOKEN=bench-read \
TRANSCRIPT_RETENTION_ENABLED=false \
  java -Xmx1g -jar "$JAR" >"$work/service.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$mgmt_port/q/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$mgmt_port/q/health/ready" >/dev/null || { tail -40 "$work/service.log"; exit 1; }

python3 bench/transcript-service/generate.py "$work/data-in" "$LINES" "$PER_SESSION"
chmod -R a+rX "$work/data-in"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
python3 bench/transcript-service/bench.py "http://127.0.0.1:$app_port" bench-write bench-read "$work/data-in" \
  "${psql[@]}" -d bench
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
