# Shared by the bench scripts (source it after `cd` to the repository root): a work directory removed at exit,
# processes started in the background stopped by PID at exit, free loopback ports, readiness waits, jar paths.
# shellcheck shell=bash

ROOT=$PWD
PIDS=()

# bench_init NAME: a fresh work directory in $WORK and the exit trap that cleans up after the run.
bench_init() {
  WORK=$(mktemp -d "/tmp/bench-$1.XXXXXX")
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The JVM options local/run gives the three services (LOCAL_JAVA_OPTS' default), used for every service a bench
# starts unless it says otherwise. Transparent huge pages for the heap and the JIT's code: a service woken by one
# request at a time walks page tables for most of what it touches, and 2 MiB pages need far fewer of those walks
# (measured in bench/hook-ingest/results); where the node has THP switched off the JVM warns once and runs as before.
# shellcheck disable=SC2034  # used by the scripts that source this file
SERVICE_JAVA_OPTS=(-Xmx256m -XX:+UseSerialGC -XX:+UseTransparentHugePages)

wait_http() {
  for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "bench: $1 never became ready" >&2; exit 1
}

# jar MODULE: the packaged service jar, or a clear message on how to build it.
jar() {
  local j=$ROOT/$1/target/quarkus-app/quarkus-run.jar
  [ -f "$j" ] || { echo "bench: $j missing: mvn -B -ntp -o -pl policy-service,hook-ingest package -DskipTests" >&2; exit 1; }
  echo "$j"
}

# wrk --latency output: latency_ms FILE 50% (in milliseconds), rps FILE, non2xx FILE.
latency_ms() {
  awk -v p="$2" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.3f\n", v }' "$1"
}
rps() { awk '/^Requests\/sec/ { printf "%.0f\n", $2 }' "$1"; }
non2xx() { awk '/Non-2xx/ { print $NF }' "$1" | grep . || echo 0; }

# guard_relays POLICY_URL INGEST_URL INPUT_FILE TOKEN: checks that hook-ingest's answer to the PreToolUse in
# INPUT_FILE is policy-service's own decision (no rule deciding: `{}`), not its fail-mode answer, so that a guard
# measurement really includes the policy round trip. The first calls meet cold JVMs (on a loaded machine the first
# round trip can exceed hook-ingest's policy timeout), so it tries a few times.
guard_relays() {
  local verdict answer try
  verdict=$(curl -s -H 'Content-Type: application/json' --data-binary @"$3" "$1/v1/decisions" | jq -r '.policy.verdict')
  for try in 1 2 3 4 5; do
    answer=$(curl -s -H "Authorization: Bearer $4" -H 'Content-Type: application/json' --data-binary @"$3" "$2/v1/hooks")
    jq -e --arg v "$verdict" 'if $v == "none" then . == {} else .hookSpecificOutput.permissionDecision == $v end' \
      <<<"$answer" >/dev/null && return 0
    [ "$try" = 5 ] || sleep 1
  done
  echo "bench: $2 did not relay policy-service's decision ($verdict): $answer" >&2
  exit 1
}

# A throwaway PostgreSQL 15 in DIR/pg (fsync off: the benches measure the services, not the disk) listening on
# 127.0.0.1:PORT and a socket in DIR, with database and role "bench" (password "bench"). DIR must be the
# postgres user's to write. Stopped by bench_postgres_stop DIR.
BENCH_PGBIN=/usr/lib/postgresql/15/bin
bench_postgres_start() {
  local dir=$1 port=$2
  runuser -u postgres -- "$BENCH_PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$dir/pg" >/dev/null
  runuser -u postgres -- "$BENCH_PGBIN/pg_ctl" -D "$dir/pg" -w -l "$dir/pg.log" \
    -o "-p $port -h 127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off" start >/dev/null
  runuser -u postgres -- "$BENCH_PGBIN/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q -d postgres \
    -c "CREATE ROLE bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench"
}
bench_postgres_stop() {
  if [ -d "$1/pg" ]; then
    runuser -u postgres -- "$BENCH_PGBIN/pg_ctl" -D "$1/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}
