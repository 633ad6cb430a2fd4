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
ROUNDS=${ROUNDS:-15}
CALLS=${CALLS:-30}
HOOK_RUNS=${HOOK_RUNS:-100}
HOOK_BLOCKS=${HOOK_BLOCKS:-5}
LOST_EVENTS=${LOST_EVENTS:-100}
TOKEN=bench-token-not-secret
SERVICE_TOKEN=bench-service-token-not-secret
bench_init guard
# transcript-service's PostgreSQL runs as user postgres (pg_ctl daemonizes it): stopped here, then the rest.
trap 'bench_postgres_stop "$WORK"; bench_cleanup' EXIT

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
bench_postgres_start "$WORK" "$PG_PORT"
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$TRANSCRIPT_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$TRANSCRIPT_MGMT_PORT \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/bench" QUARKUS_DATASOURCE_USERNAME=bench \
  QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=$SERVICE_TOKEN TRANSCRIPT_READ_TOKEN=bench-read \
  CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens TRANSCRIPT_RETENTION_ENABLED=false \
  java "${SERVICE_JAVA_OPTS[@]}" -jar "$(jar transcript-service)" >"$WORK/transcript.log" 2>&1 & PIDS+=($!); TRANSCRIPT_PID=$!
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$POLICY_MGMT_PORT \
  java "${SERVICE_JAVA_OPTS[@]}" -jar "$(jar policy-service)" >"$WORK/policy.log" 2>&1 & PIDS+=($!); POLICY_PID=$!
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$INGEST_PORT POLICY_SERVICE_URL=http://127.0.0.1:$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$INGEST_MGMT_PORT \
  CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens HOOK_INGEST_SPOOL_DIR=$WORK/spool \
  TRANSCRIPT_SERVICE_URL=http://127.0.0.1:$TRANSCRIPT_PORT TRANSCRIPT_SERVICE_TOKEN=$SERVICE_TOKEN \
  java "${SERVICE_JAVA_OPTS[@]}" -jar "$(jar hook-ingest)" >"$WORK/ingest.log" 2>&1 & PIDS+=($!); INGEST_PID=$!
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
# OTLP export off, there is no collector here), the same with every hook command /bin/true, and with no hooks; and
# the wirings that take ours apart (what each part of it adds, README.md).
managed=$ROOT/k8s/claude-code/managed-settings.json
ALLOW=$WORK/allow.json
# shellcheck disable=SC2016  # jq programs: $url, $transcripts, $allow and $event are jq's variables
managed_for() {
  local services='.env.HOOK_INGEST_URL = $url | .env.TRANSCRIPT_SERVICE_URL = $transcripts
    | .env.CLAUDE_CODE_ENABLE_TELEMETRY = "0" | del(.env.OTEL_METRICS_EXPORTER, .env.OTEL_LOGS_EXPORTER)'
  # true_but(keep): every hook command /bin/true but those keep selects ({event, command} in, a boolean out).
  local true_but='def true_but(keep): .hooks |= with_entries(.key as $event | .value |= map(.hooks |= map(
    if ({event: $event, command: .command} | keep) then . else .command = "/bin/true" end)));'
  local program
  case $1 in
    ours) program=$services ;;
    true) program="$true_but $services | true_but(false)" ;;
    none) program="$services | del(.hooks, .allowManagedHooksOnly)" ;;
    # ours with only the per-batch transcript sync replaced by /bin/true: what that sync costs.
    nobatchsync) program="$true_but $services"' | true_but(.event != "PostToolBatch" or (.command | endswith("/claude-transcript-sync") | not))' ;;
    # ours with an upload after every batch (CLAUDE_TRANSCRIPT_BATCH_SECONDS 0): what the per-batch interval saves.
    everybatch) program="$services"' | .env.CLAUDE_TRANSCRIPT_BATCH_SECONDS = "0"' ;;
    # ours with only the guard: what the PreToolUse round trip adds.
    guard) program="$true_but $services"' | true_but(.event == "PreToolUse")' ;;
    # true, but PreToolUse prints an allow answer of the guard (from a file): what Claude Code does with one.
    trueallow) program="$true_but $services"' | true_but(false) | .hooks.PreToolUse[0].hooks[0] += {command: "/bin/cat", args: [$allow]}' ;;
    *) echo "bench: unknown wiring $1" >&2; exit 1 ;;
  esac
  jq --arg url "$HOOK_INGEST_URL" --arg transcripts "$TRANSCRIPT_SERVICE_URL" --arg allow "$ALLOW" "$program" "$managed"
}
WIRINGS="ours true none nobatchsync everybatch guard trueallow"
for wiring in $WIRINGS; do
  mkdir -p "$WORK/managed-$wiring/managed-settings.d"
  managed_for "$wiring" >"$WORK/managed-$wiring/managed-settings.json"
  jq -n --arg token "$TOKEN" '{env: {CLAUDE_TELEMETRY_USER: "bench", CLAUDE_TELEMETRY_TOKEN: $token}}' \
    >"$WORK/managed-$wiring/managed-settings.d/50-identity.json"
done
use_managed() { umount /etc/claude-code 2>/dev/null || true; mount --bind "$WORK/managed-$1" /etc/claude-code; }
use_managed ours
SEED="/usr/bin/python3 $BENCH/seed_hook.py 127.0.0.1:$PUSH_PORT"

# The guard must really decide here, or the numbers mean nothing. The first calls meet cold JVMs (on a busy machine
# the first round trip can exceed hook-ingest's policy timeout, which answers deny), so it tries a few times.
for try in $(seq 1 10); do
  "$GUARD" <"$INPUT" | jq -e '.hookSpecificOutput.permissionDecision == "allow"' >/dev/null && break
  [ "$try" -lt 10 ] || { echo "bench: the guard did not answer allow for $INPUT" >&2; exit 1; }
  sleep 1
done
# The bench's own calls (Bash `true`) get no decision (no rule decides): the guard prints nothing for them, as a
# /bin/true hook does. trueallow prints the allow answer that `ls -la` gets, to see what an answer costs Claude Code.
"$GUARD" <"$INPUT" >"$ALLOW"

# Warm the JITs the way a long-running pod would have them: the request path over kept-alive connections, the
# accept and close paths (every hook process opens its own connection, so a pod's guard runs them on every call),
# and the guard's own request (HTTP/1.0, the user header). Rounds go on until both JVMs' JIT compilers go quiet
# rather than for a fixed time: how long C2 takes depends on how busy the machine is, and a guard measured while
# C2 is still compiling is measured slower than a pod's.
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
# A shared machine's speed drifts by tens of percent within minutes, so the commands take turns in blocks instead
# of one after the other: a drift then hits every command alike.
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
echo "## 2. Through the real Claude Code CLI ($CALLS Bash calls per session, $ROUNDS rounds of every wiring in random order, each wiring's managed settings at /etc/claude-code)"
CP_FILE=$ROOT/e2e-tests/target/bench-classpath.txt
if [ ! -f "$CP_FILE" ] || [ ! -d "$ROOT/e2e-tests/target/test-classes/dev/claudetelemetry/e2e/fakeapi" ]; then
  echo "bench: no fake Messages API build in e2e-tests/target; run: mvn -B -ntp package -DskipTests" >&2
  exit 1
fi
java -cp "$ROOT/e2e-tests/target/test-classes:$(cat "$CP_FILE")" dev.claudetelemetry.e2e.fakeapi.FakeMessagesApiMain 0 "$CALLS" \
  >"$WORK/api.log" 2>&1 & PIDS+=($!); API_PID=$!
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
# The wirings measured, in a new random order every round. `true` is the reference of the target and is always
# measured; `none` is the reference of `true`. A wiring named W_apart is W with the services at the lowest CPU
# priority for that session (services_nice), compared with true_apart.
CONFIGS=${CONFIGS:-none true guard ours true_apart ours_apart}
case " $CONFIGS " in *" true "*) ;; *) CONFIGS="true $CONFIGS" ;; esac
case " $CONFIGS " in *" none "*) ;; *) CONFIGS="none $CONFIGS" ;; esac
case " $CONFIGS " in *_apart*) case " $CONFIGS " in *" true_apart "*) ;; *) CONFIGS="$CONFIGS true_apart" ;; esac ;; esac
for config in $CONFIGS ours; do
  mkdir -p "$WORK/$config/home/.claude" "$WORK/$config/work"
  settings_for "$config" >"$WORK/$config/home/.claude/settings.json"
done
# The CPU the services used, in clock ticks: the three JVMs, and PostgreSQL (its server process with the children it
# has reaped, and its running backends). They share the two cores with Claude Code, so their work per event is part
# of what a call costs even where the hook does not wait for it.
CLK_TCK=$(getconf CLK_TCK)
PG_MAIN=$(head -1 "$WORK/pg/postmaster.pid")
# Clock ticks of policy-service, hook-ingest, transcript-service and PostgreSQL, on one line.
services_ticks() {
  local children
  children=$(pgrep -P "$PG_MAIN" | sed 's|.*|/proc/&/stat|' | tr '\n' ' ')
  # After the command name (which may hold spaces): utime, stime, cutime, cstime are fields 12-15.
  for pid in "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID"; do awk '{sub(/^.*\) /, ""); printf "%d ", $12 + $13}' "/proc/$pid/stat"; done
  {
    # shellcheck disable=SC2086  # the list of stat files
    awk '{sub(/^.*\) /, ""); print $12 + $13}' $children 2>/dev/null
    awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$PG_MAIN/stat"
  } | awk '{s += $1} END {print s + 0}'
}
# jit_ms PID...: milliseconds the JIT compiler threads of these JVMs have been on a CPU.
jit_ms() {
  local pid task
  for pid in "$@"; do
    for task in /proc/"$pid"/task/*; do
      case $(cat "$task/comm" 2>/dev/null) in C1\ CompilerThre* | C2\ CompilerThre*) cut -d' ' -f1 "$task/schedstat" ;; esac
    done
  done | awk '{s += $1} END {printf "%d\n", s / 1e6}'
}
# services_nice N: every thread of the three JVMs and every PostgreSQL process at nice N (threads and backends
# started later inherit it). At 19 the services run on what Claude Code leaves idle, as they would in a cluster,
# where they are pods of their own with their own CPU; a hook still waits for them, since Claude Code is idle then.
services_nice() {
  local pid task
  for pid in "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID" "$PG_MAIN" $(pgrep -P "$PG_MAIN"); do
    for task in /proc/"$pid"/task/*; do renice -n "$1" -p "${task##*/}" >/dev/null 2>&1 || true; done
  done
}
# services_ms BEFORE AFTER: the difference of two services_ticks lines in ms, per service.
services_ms() { echo "$1 $2" | awk -v hz="$CLK_TCK" '{for (i = 1; i <= 4; i++) printf "%d ", ($(i + 4) - $i) * 1000 / hz}'; }
# One session: prints its wall time, the CPU time of claude and every hook process it waited for (bash's `time` on a
# subshell: it does not grow when other work on the machine makes everything wait), the services' CPU from its
# start until they have settled after it (SETTLE_SECONDS: hook-ingest forwards in the background), all in ms, and
# the size of its transcript in bytes, and how much of the services' CPU their JIT compilers took (ms).
SETTLE_SECONDS=${SETTLE_SECONDS:-1}
run_session() {
  local dir=$WORK/$1 out timing before after jit_before jit_after turns transcript
  case $1 in seed) use_managed none ;; *_apart) use_managed "${1%_apart}"; services_nice 19 ;; *) use_managed "$1" ;; esac
  before=$(services_ticks) jit_before=$(jit_ms "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID")
  timing=$( { TIMEFORMAT='%R %U %S'; time (cd "$dir/work" && env -i PATH="$PATH" HOME="$dir/home" \
    ANTHROPIC_BASE_URL="$API_URL" ANTHROPIC_API_KEY=bench CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
    claude -p "[scenario:bench] run the commands" --output-format json --allowedTools Bash Read Write Edit \
    >"$dir/out.json"); } 2>&1 )
  sleep "$SETTLE_SECONDS"
  after=$(services_ticks) jit_after=$(jit_ms "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID")
  case $1 in *_apart) services_nice 0 ;; esac
  out=$(cat "$dir/out.json")
  turns=$(printf '%s' "$out" | jq -r '.num_turns')
  [ "$turns" = "$((CALLS + 1))" ] || { echo "bench: $1 session ran $turns turns, not $((CALLS + 1)): $out" >&2; exit 1; }
  transcript=$(find "$dir/home/.claude/projects" -name "$(printf '%s' "$out" | jq -r '.session_id').jsonl" -print -quit)
  echo "$timing" | awk '{printf "%d %d ", $1 * 1000, ($2 + $3) * 1000}'
  echo "$(services_ms "$before" "$after")$(stat -c %s "$transcript") $((jit_after - jit_before))"
}

# Warm-up through the CLI: sessions of ours until the JIT compilers of the three services went quiet: at most
# WARM_SESSION_JIT_MS of CPU in their C1 and C2 threads in each of the last three sessions (at least 3 sessions, at
# most WARM_SESSIONS_MAX). Compiler time, not the number of methods compiled: a few large C2 compilations cost more
# than many small ones, and it is the time that competes with Claude Code for the cores. The wrk rounds above warm
# the guard's path; these warm every path a session takes (each event, transcript uploads).
jvms_compiled() { for pid in "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID" "$API_PID"; do compiled "$pid"; done | tr '\n' ' '; }
WARM_SESSION_JIT_MS=${WARM_SESSION_JIT_MS:-20}
warm_sessions=0 quiet_sessions=0 cli_quiet=false
jit_before=$(jit_ms "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID")
while [ "$warm_sessions" -lt "${WARM_SESSIONS_MAX:-60}" ]; do
  warm_sessions=$((warm_sessions + 1))
  run_session ours >/dev/null
  jit_now=$(jit_ms "$POLICY_PID" "$INGEST_PID" "$TRANSCRIPT_PID")
  jit_session=$((jit_now - jit_before)) jit_before=$jit_now
  if [ "$jit_session" -le "$WARM_SESSION_JIT_MS" ]; then quiet_sessions=$((quiet_sessions + 1)); else quiet_sessions=0; fi
  if [ "$quiet_sessions" -ge 3 ]; then cli_quiet=true; break; fi
done
echo "CLI warm-up: $warm_sessions sessions of ours, JIT compilers quiet: $cli_quiet (the services' compiler threads in the last session: $jit_session ms; methods compiled by policy-service, hook-ingest, transcript-service, fake API: $(jvms_compiled))"
for config in $CONFIGS; do run_session "$config" >/dev/null; done  # each wiring once, not counted
: >"$WORK/sessions.txt"
for round in $(seq 1 "$ROUNDS"); do
  for config in $(tr ' ' '\n' <<<"$CONFIGS" | shuf); do
    echo "$round $config $(run_session "$config")" >>"$WORK/sessions.txt"
  done
done
echo
echo "Paired by round: each wiring minus true (and true minus none) in the same round, per tool call (÷ $CALLS); mean with its 95% confidence interval (t distribution over the rounds), and the median of the differences."
echo "Claude Code CPU: claude and every hook process it waited for. Services CPU: policy-service, hook-ingest, transcript-service and PostgreSQL."
echo
python3 "$BENCH/paired.py" "$CALLS" <"$WORK/sessions.txt"

# The ours sessions really uploaded their transcripts, or section 2 measured less than is shipped.
expected=$warm_sessions
case " $CONFIGS " in *" ours "*) expected=$((expected + 1 + ROUNDS)) ;; esac
uploaded=$(runuser -u postgres -- "$BENCH_PGBIN/psql" -h "$WORK" -p "$PG_PORT" -U postgres -d bench -tAq \
  -c "SELECT count(*) FROM transcript_files WHERE file_id = 'main' AND acked_offset > 0")
echo
echo "transcript-service stored the transcripts of $uploaded sessions (ours ran $expected, warm-up included)"
[ "$uploaded" -ge "$expected" ] || { echo "bench: the ours sessions' transcripts were not uploaded" >&2; exit 1; }
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

echo
EVENT_RUNS=${EVENT_RUNS:-120}
echo "## 4. The services' CPU per event ($EVENT_RUNS of each through the hook client, one after the other; the services' idle CPU subtracted)"
# What each hook's event costs the services (and the client itself), which section 2 can only show per wiring.
events=$WORK/events && mkdir -p "$events"
jq -c '.tool_input.command = "true"' "$INPUT" >"$events/pre.json"
jq -c . "$ROOT/testdata/claude-code/hooks/PostToolUse-Bash.json" >"$events/post.json"
jq -c . "$ROOT/testdata/claude-code/hooks/PostToolBatch.json" >"$events/batch.json"
# The per-batch sync replays an ours session's transcript: one batch's lines appended before each sync (prepared
# here, appended with shell builtins in the loop so that the client's CPU is the sync's own), a new session every
# $CALLS batches.
source_transcript=$(find "$WORK/ours/home/.claude/projects" -name '*.jsonl' -size +10k -print -quit)
lines=$(wc -l <"$source_transcript")
for i in $(seq 1 "$EVENT_RUNS"); do
  session=bench-events-$(( (i - 1) / CALLS )) batch=$(( (i - 1) % CALLS ))
  from=$(( batch * lines / CALLS + 1 )) to=$(( (batch + 1) * lines / CALLS ))
  [ "$batch" -eq $((CALLS - 1)) ] && to=$lines
  sed -n "${from},${to}p" "$source_transcript" >"$events/chunk-$i"
  jq -c --arg s "$session" --arg t "$events/$session.jsonl" '.session_id = $s | .transcript_path = $t' \
    "$events/batch.json" >"$events/sync-$i.json"
done
sync_run() {
  local chunk
  IFS= read -r -d '' chunk <"$events/chunk-$1" || true
  printf '%s' "$chunk" >>"$events/bench-events-$(( ($1 - 1) / CALLS )).jsonl"
  /opt/claude-telemetry/bin/claude-transcript-sync <"$events/sync-$1.json"
}
idle_before=$(services_ticks); sleep 10; idle_after=$(services_ticks)
idle_per_s=$(services_ms "$idle_before" "$idle_after" | awk '{for (i = 1; i <= 4; i++) printf "%.3f ", $i / 10}')
echo "| event (hook) | client CPU / event | policy-service | hook-ingest | transcript-service | PostgreSQL | services in all |"
echo "|---|---|---|---|---|---|---|"
for kind in "PreToolUse (claude-guard)" "PostToolUse (claude-hook)" "PostToolBatch (claude-hook)" \
  "PostToolBatch (claude-transcript-sync, an upload after every batch)"; do
  # What one upload costs: with the interval as shipped, most of these back-to-back syncs would skip.
  case $kind in *every*) use_managed everybatch ;; *) use_managed ours ;; esac
  before=$(services_ticks) start=$(date +%s.%N)
  timing=$( { TIMEFORMAT='%U %S'; time (for i in $(seq 1 "$EVENT_RUNS"); do
    case $kind in
      PreToolUse*) "$GUARD" <"$events/pre.json" >/dev/null ;;
      PostToolUse*) "$HOOK" <"$events/post.json" ;;
      *claude-hook*) "$HOOK" <"$events/batch.json" ;;
      *) sync_run "$i" 2>/dev/null ;;
    esac
  done); } 2>&1 )
  sleep 2  # hook-ingest forwards in the background
  elapsed=$(echo "$start $(date +%s.%N)" | awk '{print $2 - $1}')
  after=$(services_ticks)
  echo "$(services_ms "$before" "$after") $idle_per_s $elapsed $timing $EVENT_RUNS" | awk -v kind="$kind" '{
    n = $NF; client = ($10 + $11) * 1000 / n; total = 0; row = ""
    for (i = 1; i <= 4; i++) { v = ($i - $(i + 4) * $9) / n; total += v; row = row sprintf(" %.2f ms |", v) }
    printf "| %s | %.2f ms |%s %.2f ms |\n", kind, client, row, total }'
done
