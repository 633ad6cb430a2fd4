#!/usr/bin/env bash
# What the guard costs per tool call, as Claude Code pays it, next to the starting stack's hook (a fresh
# Python process pushing to a Pushgateway: seed_hook.py), side by side in one run. See README.md.
#
#   bench/guard/run.sh            # needs the packaged build: mvn -B -ntp package -DskipTests
#   ROUNDS=5 CALLS=30 HOOK_RUNS=200 HOOK_BLOCKS=5 LOST_EVENTS=100 bench/guard/run.sh
#
# Everything listens on 127.0.0.1 and free ports, and is stopped by PID at the end.
#
# The hook client reads its configuration from /etc/claude-code only (a path compiled in), and Claude Code reads
# its managed settings there too: the bench runs in a private mount namespace (as root) where /etc and /opt are
# overlays, /opt/claude-telemetry/bin is k8s/claude-code/bin, and /etc/claude-code is bind-mounted per wiring.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${BENCH_GUARD_NAMESPACE:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: needs root (a private mount namespace for /etc/claude-code)" >&2; exit 1; }
  exec env BENCH_GUARD_NAMESPACE=1 unshare --mount --propagation private "$0" "$@"
fi
# shellcheck source=bench/lib.sh
source bench/lib.sh
BENCH=$ROOT/bench/guard
ROUNDS=${ROUNDS:-3}
CALLS=${CALLS:-30}
HOOK_RUNS=${HOOK_RUNS:-100}
HOOK_BLOCKS=${HOOK_BLOCKS:-5}
LOST_EVENTS=${LOST_EVENTS:-100}
TOKEN=bench-token-not-secret
SERVICE_TOKEN=bench-service-token-not-secret
PGBIN=/usr/lib/postgresql/15/bin
bench_init guard
# transcript-service's PostgreSQL runs as user postgres (pg_ctl daemonizes it): stopped here, then the rest.
pg_stop() {
  if [ -d "$WORK/pg" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}
trap 'pg_stop; bench_cleanup' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# One line of compact JSON, as Claude Code 2.1.330 writes a hook's stdin (the recorded fixture is pretty-printed).
INPUT=$WORK/PreToolUse-Bash.json
jq -c . "$ROOT/testdata/claude-code/hooks/PreToolUse-Bash.json" >"$INPUT"
POLICY_PORT=$(free_port); INGEST_PORT=$(free_port); PUSH_PORT=$(free_port)
POLICY_MGMT_PORT=$(free_port); INGEST_MGMT_PORT=$(free_port)
TRANSCRIPT_PORT=$(free_port); TRANSCRIPT_MGMT_PORT=$(free_port); PG_PORT=$(free_port)
# As in a cluster: the pod's token is its user's own (a Secret-style directory, one file per user), hook-ingest
# forwards every event to transcript-service, and the transcript sync uploads to a real transcript-service.
mkdir -p "$WORK/user-tokens" && echo "$TOKEN" >"$WORK/user-tokens/bench"
chown postgres "$WORK" && chmod 755 "$WORK"
runuser -u postgres -- "$PGBIN/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$WORK/pg" >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg.log" \
  -o "-p $PG_PORT -h 127.0.0.1 -k $WORK -c fsync=off -c synchronous_commit=off" start >/dev/null
runuser -u postgres -- "$PGBIN/psql" -h "$WORK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q -d postgres \
  -c "CREATE ROLE bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE bench OWNER bench"
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$TRANSCRIPT_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$TRANSCRIPT_MGMT_PORT \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/bench" QUARKUS_DATASOURCE_USERNAME=bench \
  QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=$SERVICE_TOKEN TRANSCRIPT_READ_TOKEN=bench-read \
  CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens TRANSCRIPT_RETENTION_ENABLED=false \
  java -Xmx256m -XX:+UseSerialGC -jar "$(jar transcript-service)" >"$WORK/transcript.log" 2>&1 & PIDS+=($!)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$POLICY_MGMT_PORT \
  java -Xmx256m -XX:+UseSerialGC -jar "$(jar policy-service)" >"$WORK/policy.log" 2>&1 & PIDS+=($!); POLICY_PID=$!
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$INGEST_PORT POLICY_SERVICE_URL=http://127.0.0.1:$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$INGEST_MGMT_PORT \
  CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens \
  TRANSCRIPT_SERVICE_URL=http://127.0.0.1:$TRANSCRIPT_PORT TRANSCRIPT_SERVICE_TOKEN=$SERVICE_TOKEN \
  java -Xmx256m -XX:+UseSerialGC -jar "$(jar hook-ingest)" >"$WORK/ingest.log" 2>&1 & PIDS+=($!); INGEST_PID=$!
prometheus-pushgateway --web.listen-address=127.0.0.1:"$PUSH_PORT" >"$WORK/pushgateway.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$POLICY_MGMT_PORT/q/health/ready"
wait_http "http://127.0.0.1:$INGEST_MGMT_PORT/q/health/ready"
wait_http "http://127.0.0.1:$TRANSCRIPT_MGMT_PORT/q/health/ready"
wait_http "http://127.0.0.1:$PUSH_PORT/-/ready"

HOOK_INGEST_URL=http://127.0.0.1:$INGEST_PORT
TRANSCRIPT_SERVICE_URL=http://127.0.0.1:$TRANSCRIPT_PORT
for layer in etc opt; do mkdir -p "$WORK/$layer-upper" "$WORK/$layer-work"; done
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/etc-upper,workdir=$WORK/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/opt,upperdir=$WORK/opt-upper,workdir=$WORK/opt-work" /opt
mkdir -p /etc/claude-code /opt/claude-telemetry/bin
mount --bind "$ROOT/k8s/claude-code/bin" /opt/claude-telemetry/bin
GUARD=/opt/claude-telemetry/bin/claude-guard
HOOK=/opt/claude-telemetry/bin/claude-hook

# The managed settings as shipped, for each wiring: ours (the services on this machine's ports; Claude Code's own
# OTLP export off, there is no collector here), the same with every hook command /bin/true, and with no hooks.
managed=$ROOT/k8s/claude-code/managed-settings.json
managed_for() {
  # shellcheck disable=SC2016  # a jq program: $url and $transcripts are jq's arguments
  local services='.env.HOOK_INGEST_URL = $url | .env.TRANSCRIPT_SERVICE_URL = $transcripts
    | .env.CLAUDE_CODE_ENABLE_TELEMETRY = "0" | del(.env.OTEL_METRICS_EXPORTER, .env.OTEL_LOGS_EXPORTER)'
  case $1 in
    ours) jq --arg url "$HOOK_INGEST_URL" --arg transcripts "$TRANSCRIPT_SERVICE_URL" "$services" "$managed" ;;
    true) jq --arg url "$HOOK_INGEST_URL" --arg transcripts "$TRANSCRIPT_SERVICE_URL" \
            "$services"' | .hooks |= map_values(map(.hooks |= map(.command = "/bin/true")))' "$managed" ;;
    none) jq --arg url "$HOOK_INGEST_URL" --arg transcripts "$TRANSCRIPT_SERVICE_URL" "$services"' | del(.hooks, .allowManagedHooksOnly)' "$managed" ;;
    # ours with the per-batch transcript sync alone replaced by /bin/true: what that sync costs.
    nobatchsync) jq --arg url "$HOOK_INGEST_URL" --arg transcripts "$TRANSCRIPT_SERVICE_URL" \
            "$services"' | .hooks.PostToolBatch |= map(.hooks |= map(if .command | endswith("/claude-transcript-sync") then .command = "/bin/true" else . end))' "$managed" ;;
  esac
}
for wiring in ours true none nobatchsync; do
  mkdir -p "$WORK/managed-$wiring/managed-settings.d"
  managed_for "$wiring" >"$WORK/managed-$wiring/managed-settings.json"
  jq -n --arg token "$TOKEN" '{env: {CLAUDE_TELEMETRY_USER: "bench", CLAUDE_TELEMETRY_TOKEN: $token}}' \
    >"$WORK/managed-$wiring/managed-settings.d/50-identity.json"
done
use_managed() { umount /etc/claude-code 2>/dev/null || true; mount --bind "$WORK/managed-$1" /etc/claude-code; }
use_managed ours
SEED="/usr/bin/python3 $BENCH/seed_hook.py 127.0.0.1:$PUSH_PORT"

# The guard must really decide here, or the numbers mean nothing.
"$GUARD" <"$INPUT" | jq -e '.hookSpecificOutput.permissionDecision == "allow"' >/dev/null ||
  { echo "bench: the guard did not answer allow for $INPUT" >&2; exit 1; }

# Warm the JITs the way a long-running pod would have them: the request path over kept-alive connections, the
# accept and close paths (every hook process opens its own connection; on the same services, the guard's median
# over an empty bash went from 6.0 ms after the first part alone to 3.2 ms with the second), and the guard's own
# request (HTTP/1.0, the user header). Rounds go on until both JVMs' JIT compilers go quiet: a fixed 16 s left
# C2 still compiling when the machine was slow, and the guard 1.0-1.7 ms slower than on services warmed until
# quiet (measured side by side, 2026-12-04).
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["X-Claude-Telemetry-User"] = "bench"
wrk.body = [[$(jq -c . "$INPUT")]]
LUA
compiled() { jstat -compiler "$1" | awk 'NR == 2 {print $1}'; }
WARM_QUIET=${WARM_QUIET:-30}  # at most this many new compilations per JVM in one round counts as quiet
warm_rounds=0 quiet=false
before_policy=$(compiled "$POLICY_PID") before_ingest=$(compiled "$INGEST_PID")
while [ "$warm_rounds" -lt "${WARM_MAX_ROUNDS:-12}" ]; do
  warm_rounds=$((warm_rounds + 1))
  wrk -t1 -c4 -d4s -s "$WORK/post.lua" "$HOOK_INGEST_URL/v1/hooks" >/dev/null
  wrk -t1 -c4 -d4s -H 'Connection: close' -s "$WORK/post.lua" "$HOOK_INGEST_URL/v1/hooks" >/dev/null
  for _ in $(seq 1 100); do "$GUARD" <"$INPUT" >/dev/null; done
  now_policy=$(compiled "$POLICY_PID") now_ingest=$(compiled "$INGEST_PID")
  if [ "$warm_rounds" -ge 3 ] && [ $((now_policy - before_policy)) -le "$WARM_QUIET" ] &&
    [ $((now_ingest - before_ingest)) -le "$WARM_QUIET" ]; then
    quiet=true
    break
  fi
  before_policy=$now_policy before_ingest=$now_ingest
done
sleep 5  # let the JIT compilers finish what the last round queued

echo "Machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Warm-up: $warm_rounds rounds, JIT compilers quiet: $quiet (methods compiled: policy-service $now_policy, hook-ingest $now_ingest)"
echo
echo "## 1. One hook process per event (hyperfine, $HOOK_RUNS runs each in $HOOK_BLOCKS interleaved blocks, PreToolUse-Bash.json on stdin)"
# The machine's speed drifts by tens of percent within minutes (the bash floor alone measured 3.7-6.9 ms median
# in consecutive runs), so the commands take turns in blocks instead of one after the other.
for block in $(seq 1 "$HOOK_BLOCKS"); do
  hyperfine -S sh --warmup 5 --runs "$((HOOK_RUNS / HOOK_BLOCKS))" --export-json "$WORK/hooks-$block.json" \
    -n "policy-service direct (curl)" "curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary @$INPUT http://127.0.0.1:$POLICY_PORT/v1/decisions" \
    -n "claude-guard -> hook-ingest -> policy-service" "$GUARD < $INPUT" \
    -n "seed hook (python3 + pushgateway)" "$SEED < $INPUT" \
    -n "/bin/true (floor of any hook process)" "/bin/true < $INPUT" >"$WORK/hyperfine.txt" 2>&1
done
# One result per command over all blocks: its wall times together, CPU as the mean of the blocks' means.
jq -s '[.[].results] | transpose | map({command: .[0].command, times: (map(.times) | add),
    cpu: ((map(.user + .system) | add) / length)})
  | map(. + {median: (.times | sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end),
             mean: ((.times | add) / (.times | length)), p95: (.times | sort | .[(length * 0.95 | floor)])})' \
  "$WORK"/hooks-*.json >"$WORK/hooks.json"
ms() { jq -r "$1 * 1000 * 100 | round / 100" "$WORK/hooks.json"; }
jq -r '.[] | "| \(.command) | \(.median*1000 | .*100 | round / 100) ms | \(.mean*1000 | .*100 | round / 100) ms | \(.p95*1000 | .*100 | round / 100) ms | \(.cpu*1000 | .*100 | round / 100) ms |"' \
  "$WORK/hooks.json" | { echo "| command | wall median | wall mean | wall p95 | CPU (user+sys) mean |"; echo "|---|---|---|---|---|"; cat; }
guard_ms=$(ms '.[1].median'); seed_ms=$(ms '.[2].median'); floor_ms=$(ms '.[3].median')
guard_cpu=$(ms '.[1].cpu'); seed_cpu=$(ms '.[2].cpu')
echo
echo "wall: guard median ${guard_ms} ms (/bin/true ${floor_ms} ms), seed median ${seed_ms} ms, seed/guard = $(echo "$seed_ms $guard_ms" | awk '{printf "%.1f", $1/$2}')x"
echo "CPU: guard ${guard_cpu} ms, seed ${seed_cpu} ms, seed/guard = $(echo "$seed_cpu $guard_cpu" | awk '{printf "%.1f", $1/$2}')x"

echo
echo "## 2. Through the real Claude Code CLI ($CALLS Bash calls per session, $ROUNDS rounds, interleaved; ours, true, none: the managed settings at /etc/claude-code)"
CP_FILE=$ROOT/e2e-tests/target/bench-classpath.txt
if [ ! -f "$CP_FILE" ] || [ ! -d "$ROOT/e2e-tests/target/test-classes/dev/claudetelemetry/e2e/fakeapi" ]; then
  echo "bench: no fake Messages API build in e2e-tests/target; run: mvn -B -ntp package -DskipTests" >&2
  exit 1
fi
java -cp "$ROOT/e2e-tests/target/test-classes:$(cat "$CP_FILE")" dev.claudetelemetry.e2e.fakeapi.FakeMessagesApiMain 0 "$CALLS" \
  >"$WORK/api.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do grep -q listening "$WORK/api.log" && break; sleep 0.1; done
API_URL=$(awk '/listening/ {print $2}' "$WORK/api.log")

# User settings: the seed's hooks for the seed wiring (under the managed settings of "none", which leave user hooks
# allowed), nothing otherwise.
settings_for() {
  case $1 in
    seed) jq -n --arg seed "$SEED" '{hooks: {
            PreToolUse: [{matcher: "*", hooks: [{type: "command", command: $seed, timeout: 10}]}],
            PostToolUse: [{matcher: "*", hooks: [{type: "command", command: $seed, timeout: 10}]}]}}' ;;
    *) echo '{}' ;;
  esac
}
# CONFIGS="none true ours nobatchsync" adds ours without the per-batch sync (and leaves the slow seed out).
CONFIGS=${CONFIGS:-none true ours seed}
for config in $CONFIGS; do
  mkdir -p "$WORK/$config/home/.claude" "$WORK/$config/work"
  settings_for "$config" >"$WORK/$config/home/.claude/settings.json"
done
# Wall time, and the CPU time of claude and every hook process it waited for (bash's `time` on a subshell):
# CPU does not grow when other work on the machine makes everything wait.
run_session() {
  local dir=$WORK/$1 out timing
  case $1 in seed) use_managed none ;; *) use_managed "$1" ;; esac
  timing=$( { TIMEFORMAT='%R %U %S'; time (cd "$dir/work" && env -i PATH="$PATH" HOME="$dir/home" \
    ANTHROPIC_BASE_URL="$API_URL" ANTHROPIC_API_KEY=bench CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
    claude -p "[scenario:bench] run the commands" --output-format json --allowedTools Bash Read Write Edit \
    >"$dir/out.json"); } 2>&1 )
  out=$(cat "$dir/out.json")
  local turns; turns=$(printf '%s' "$out" | jq -r '.num_turns')
  [ "$turns" = "$((CALLS + 1))" ] || { echo "bench: $1 session ran $turns turns, not $((CALLS + 1)): $out" >&2; exit 1; }
  echo "$timing" | awk '{printf "%d\n", $1 * 1000}' >>"$WORK/$1.times"
  echo "$timing" | awk '{printf "%d\n", ($2 + $3) * 1000}' >>"$WORK/$1.cpu"
}
for config in $CONFIGS; do run_session "$config"; done  # warm-up round, not counted
for config in $CONFIGS; do : >"$WORK/$config.times"; : >"$WORK/$config.cpu"; done
for _ in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do run_session "$config"; done
done
none_ms=$(median <"$WORK/none.times")
none_cpu=$(median <"$WORK/none.cpu")
echo "| wiring | wall median / session | wall per tool call vs none | CPU median / session | CPU per tool call vs none | wall runs (ms) |"
echo "|---|---|---|---|---|---|"
for config in $CONFIGS; do
  m=$(median <"$WORK/$config.times")
  c=$(median <"$WORK/$config.cpu")
  per=$(echo "$m $none_ms $CALLS" | awk '{printf "%+.1f ms", ($1-$2)/$3}')
  cpu_per=$(echo "$c $none_cpu $CALLS" | awk '{printf "%+.1f ms", ($1-$2)/$3}')
  echo "| $config | $m ms | $per | $c ms | $cpu_per | $(tr '\n' ' ' <"$WORK/$config.times")|"
done

# The ours sessions really uploaded their transcripts, or section 2 measured less than is shipped.
uploaded=$(runuser -u postgres -- "$PGBIN/psql" -h "$WORK" -p "$PG_PORT" -U postgres -d bench -tAq \
  -c "SELECT count(*) FROM transcript_files WHERE file_id = 'main' AND acked_offset > 0")
echo
echo "transcript-service stored the transcripts of $uploaded sessions (ours ran $((ROUNDS + 1)), warm-up included)"
[ "$uploaded" -ge $((ROUNDS + 1)) ] || { echo "bench: the ours sessions' transcripts were not uploaded" >&2; exit 1; }
echo "Load average after the CLI runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## 3. Lost counts: $LOST_EVENTS PostToolUse events of one session, distinct tool_use_ids"
use_managed ours
post_input() { jq -c --arg id "toolu_bench_$1" '.tool_use_id = $id' "$ROOT/testdata/claude-code/hooks/PostToolUse-Bash.json"; }
ingest_count() {
  curl -s "http://127.0.0.1:$INGEST_MGMT_PORT/q/metrics" |
    awk '/^claude_hook_events_total\{/ && /event="PostToolUse"/ && /user="bench"/ {s += $NF} END {print s + 0}'
}
before=$(ingest_count)
for i in $(seq 1 "$LOST_EVENTS"); do post_input "$i" | "$HOOK"; done
after=$(ingest_count)
curl -s -X DELETE "http://127.0.0.1:$PUSH_PORT/metrics/job/claude_code_hooks" >/dev/null
for i in $(seq 1 "$LOST_EVENTS"); do post_input "$i" | $SEED; done
pushed=$(curl -s "http://127.0.0.1:$PUSH_PORT/metrics" |
  awk '/^claude_code_hook_events_total\{/ && /event="PostToolUse"/ {s += $NF} END {print s + 0}')
echo "| hook | events in | counted |"
echo "|---|---|---|"
echo "| claude-hook -> hook-ingest (claude_hook_events_total) | $LOST_EVENTS | $((after - before)) |"
echo "| seed hook -> Pushgateway (claude_code_hook_events_total) | $LOST_EVENTS | $pushed |"
