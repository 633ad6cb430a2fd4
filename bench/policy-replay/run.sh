#!/usr/bin/env bash
# Benchmark of `check replay`: a week of generated PreToolUse calls, judged once by the live policy-service over
# HTTP (the baseline, whose answers become the recorded verdicts), stored in a real PostgreSQL through
# transcript-service, then replayed by the packaged CLI with a candidate policy; calls per second end to end.
# Everything runs on 127.0.0.1: a throwaway PostgreSQL 15 (fsync off) and the packaged jars.
#
# usage: bench/policy-replay/run.sh [CALLS] [DAYS]      (defaults: 150000 7)
# needs: /usr/bin/time (Debian's time); mvn -B -ntp -o -pl policy-service,transcript-service -am package -DskipTests; postgresql-15; python3; root.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
CALLS=${1:-150000}
DAYS=${2:-7}
POLICY_JAR=$(jar policy-service)
TRANSCRIPT_JAR=$(jar transcript-service)
PGBIN=/usr/lib/postgresql/15/bin
bench_init policy-replay
chown postgres "$WORK"
pg_stop() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true; }
trap 'pg_stop; bench_cleanup' EXIT

# cpu_ms PID...: CPU time (user + system, waited-for children included) of these processes so far, in ms. The
# machine is shared: wall-clock rates move with the load, CPU per call much less.
cpu_ms() {
  local total=0 pid ticks
  for pid in "$@"; do
    ticks=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}
pg_pids() { local main; main=$(head -1 "$WORK/data/postmaster.pid"); echo "$main" $(pgrep -P "$main"); }

pg_port=$(free_port)
runuser -u postgres -- "$PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$WORK/data" >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/pg.log" \
  -o "-p $pg_port -h 127.0.0.1 -k $WORK -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB" start >/dev/null
runuser -u postgres -- "$PGBIN/psql" -h "$WORK" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q -d postgres \
  -c "CREATE ROLE bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench"

ts_port=$(free_port); ts_mgmt=$(free_port)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$ts_port QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$ts_mgmt \
QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$pg_port/bench" QUARKUS_DATASOURCE_USERNAME=bench \
QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=bench-write TRANSCRIPT_READ_TOKEN=bench-read \
TRANSCRIPT_RETENTION_ENABLED=false \
  java -Xmx1g -jar "$TRANSCRIPT_JAR" >"$WORK/transcript-service.log" 2>&1 &
PIDS+=($!)
ts_pid=$!
ps_port=$(free_port); ps_mgmt=$(free_port)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$ps_port QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$ps_mgmt \
  java -jar "$POLICY_JAR" >"$WORK/policy-service.log" 2>&1 &
PIDS+=($!)
ps_pid=$!
wait_http "http://127.0.0.1:$ts_mgmt/q/health/ready"
wait_http "http://127.0.0.1:$ps_mgmt/q/health/ready"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
python3 bench/policy-replay/generate.py "$WORK/calls.jsonl" "$CALLS" "$DAYS"
echo "generated: $CALLS calls over $DAYS days, $(du -m "$WORK/calls.jsonl" | cut -f1) MB of hook inputs"
java -Xmx2g -cp "$(dirname "$POLICY_JAR")/lib/main/*" bench/policy-replay/ReplayBench.java "$WORK/calls.jsonl" \
  "http://127.0.0.1:$ps_port" "http://127.0.0.1:$ts_port" bench-write "$ps_pid"
rm -f "$WORK/calls.jsonl"
runuser -u postgres -- "$PGBIN/psql" -h "$WORK" -p "$pg_port" -U postgres -q -d bench -c "VACUUM ANALYZE hook_events" >/dev/null
# The policy-service of the baseline is no longer needed: the replay runs without it.
kill "$ps_pid"; wait "$ps_pid" 2>/dev/null || true

cat policies/default-policy.yaml bench/policy-replay/candidate-rules.yaml >"$WORK/candidate.yaml"
# JVM flags | replay arguments. The documented command runs the replay with C1 only (-XX:TieredStopAtLevel=1,
# policies/README.md): a replay lasts seconds, and C2 spends more CPU compiling the evaluator than it then saves.
# The last run, with the JVM's default JIT, shows that difference.
for variant in "-XX:TieredStopAtLevel=1|" "-XX:TieredStopAtLevel=1|--no-memo" "|"; do
  jvm=${variant%%|*}
  args=${variant#*|}
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # shellcheck disable=SC2046 # one PID per word
  server_cpu=$(cpu_ms "$ts_pid" $(pg_pids))
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # an empty variant is no argument
  TRANSCRIPT_READ_TOKEN=bench-read /usr/bin/time -f '%U %S' -o "$WORK/replay.cpu" java $jvm -jar "$POLICY_JAR" check replay "$WORK/candidate.yaml" --since "$((DAYS + 1))d" \
    --transcripts "http://127.0.0.1:$ts_port" --json $args >"$WORK/replay.json"
  replay_cpu=$(awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$WORK/replay.cpu")
  wall=$(( ($(date +%s%N) - start) / 1000000 ))
  # shellcheck disable=SC2046
  server_cpu=$(( $(cpu_ms "$ts_pid" $(pg_pids)) - server_cpu ))
  python3 - "$WORK/replay.json" "$wall" "${args:-(identical inputs evaluated once)}, ${jvm:-default JIT (C1 and C2)}" "$load" "$replay_cpu" "$server_cpu" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); wall_ms = int(sys.argv[2]); t = r["timing"]
cpu_ms, server_ms = int(sys.argv[5]), int(sys.argv[6])
print(f"replay {sys.argv[3]}: {r['calls']:,} calls, {t['evaluations']:,} evaluations on {t['threads']} threads,"
      f" {t['evaluationSeconds']:.2f} s of evaluation ({t['evaluationSeconds'] / max(t['evaluations'], 1) * 1e6:.1f} µs each,"
      f" slowest {t['slowestEvaluationSeconds'] * 1e3:.1f} ms); first request to report {t['wallSeconds']:.2f} s ="
      f" {t['callsPerSecond']:,} calls/s; whole process (JVM start, policy load, {t['pages']} pages) {wall_ms / 1000:.2f} s ="
      f" {r['calls'] / (wall_ms / 1000):,.0f} calls/s (load average {sys.argv[4]} before)")
changed = {v: {rule: g["count"] for rule, g in rules.items()} for v, rules in r["changes"].items()}
print(f"  CPU: replay process {cpu_ms / 1000:.1f} s, transcript-service + PostgreSQL {server_ms / 1000:.1f} s:"
      f" {r['calls'] / max((cpu_ms + server_ms) / 1000, 0.001):,.0f} calls per CPU-second end to end")
print(f"  changed {r['changed']:,}, unchanged {r['unchanged']:,}: {json.dumps(changed)}")
PY
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
