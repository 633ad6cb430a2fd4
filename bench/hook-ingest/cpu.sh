#!/usr/bin/env bash
# hook-ingest's own CPU per tool call, two builds side by side: BASELINE_APP (a quarkus-app directory, e.g. a copy
# of hook-ingest/target/quarkus-app from main) and this tree's hook-ingest/target/quarkus-app. See README.md.
#
#   BASELINE_APP=/tmp/base/quarkus-app bench/hook-ingest/cpu.sh  # as root; ROUNDS=6 CALLS=80 GAP=0.03 WARM_ROUNDS=4
#
# BASELINE_JAVA_OPTS and CANDIDATE_JAVA_OPTS replace one side's JVM options (default: SERVICE_JAVA_OPTS of
# bench/lib.sh), to compare JVM options with the same build on both sides.
#
# Both run as in bench/guard (spool on disk, the user's own token, forwarding to a real transcript-service with a
# throwaway PostgreSQL, a real policy-service) and get the same traffic at the same time: tool calls through the
# real hook client (PreToolUse through claude-guard, PostToolUse and PostToolBatch through claude-hook), GAP
# seconds apart, as a Claude Code session sends them. Driven at the same moment, both meet the same machine
# conditions, which on a shared machine move more than the difference measured. CPU is every thread's
# sum_exec_runtime (/proc/<pid>/task/*/schedstat), in all and by thread.
#
# The hook client reads its configuration from /etc/claude-code only: each build's client runs in a mount
# namespace of its own (as root) where /etc and /opt are overlays and /etc/claude-code names that build's port.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
[ "$(id -u)" = 0 ] || { echo "bench: needs root (mount namespaces for /etc/claude-code)" >&2; exit 1; }
[ -f "${BASELINE_APP:-}/quarkus-run.jar" ] || { echo "bench: BASELINE_APP must be a quarkus-app directory" >&2; exit 1; }
CANDIDATE_APP=$ROOT/hook-ingest/target/quarkus-app
ROUNDS=${ROUNDS:-6} CALLS=${CALLS:-80} GAP=${GAP:-0.03} WARM_CALLS=${WARM_CALLS:-600}
TOKEN=bench-token-not-secret SERVICE_TOKEN=bench-service-token-not-secret
bench_init ingest-cpu
trap 'bench_postgres_stop "$WORK"; bench_cleanup' EXIT

PG_PORT=$(free_port) POLICY_PORT=$(free_port) POLICY_MGMT=$(free_port) TRANSCRIPT_PORT=$(free_port)
TRANSCRIPT_MGMT=$(free_port)
mkdir -p "$WORK/user-tokens" && echo "$TOKEN" >"$WORK/user-tokens/bench"
chown postgres "$WORK" && chmod 755 "$WORK"
bench_postgres_start "$WORK" "$PG_PORT"
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$TRANSCRIPT_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$TRANSCRIPT_MGMT \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/bench" QUARKUS_DATASOURCE_USERNAME=bench \
  QUARKUS_DATASOURCE_PASSWORD=bench TRANSCRIPT_WRITE_TOKEN=$SERVICE_TOKEN TRANSCRIPT_READ_TOKEN=bench-read \
  CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens TRANSCRIPT_RETENTION_ENABLED=false \
  java "${SERVICE_JAVA_OPTS[@]}" -jar "$(jar transcript-service)" >"$WORK/transcript.log" 2>&1 & PIDS+=($!)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$POLICY_MGMT \
  java "${SERVICE_JAVA_OPTS[@]}" -jar "$(jar policy-service)" >"$WORK/policy.log" 2>&1 & PIDS+=($!)

# One hook-ingest per build (the JVM options of bench/guard and local/run), and a mount namespace whose managed
# settings point the hook client at it.
declare -A INGEST_PID NS_PID PORT MGMT
read -r -a baseline_opts <<<"${BASELINE_JAVA_OPTS:-${SERVICE_JAVA_OPTS[*]}}"
read -r -a candidate_opts <<<"${CANDIDATE_JAVA_OPTS:-${SERVICE_JAVA_OPTS[*]}}"
for build in baseline candidate; do
  app=$BASELINE_APP opts=("${baseline_opts[@]}")
  [ "$build" = candidate ] && app=$CANDIDATE_APP opts=("${candidate_opts[@]}")
  port=$(free_port) mgmt=$(free_port)
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$port POLICY_SERVICE_URL=http://127.0.0.1:$POLICY_PORT \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$mgmt \
    CLAUDE_TELEMETRY_USER_TOKENS_DIR=$WORK/user-tokens HOOK_INGEST_SPOOL_DIR=$WORK/spool-$build \
    TRANSCRIPT_SERVICE_URL=http://127.0.0.1:$TRANSCRIPT_PORT TRANSCRIPT_SERVICE_TOKEN=$SERVICE_TOKEN \
    java "${opts[@]}" -jar "$app/quarkus-run.jar" >"$WORK/ingest-$build.log" 2>&1 & PIDS+=($!)
  INGEST_PID[$build]=$! PORT[$build]=$port MGMT[$build]=$mgmt
  wait_http "http://127.0.0.1:$mgmt/q/health/ready"
  mkdir -p "$WORK/managed-$build/managed-settings.d" "$WORK/ns-$build"/{etc-upper,etc-work,opt-upper,opt-work}
  jq --arg url "http://127.0.0.1:$port" --arg t "http://127.0.0.1:$TRANSCRIPT_PORT" \
    '.env.HOOK_INGEST_URL = $url | .env.TRANSCRIPT_SERVICE_URL = $t' \
    "$ROOT/k8s/claude-code/managed-settings.json" >"$WORK/managed-$build/managed-settings.json"
  jq -n --arg token "$TOKEN" '{env: {CLAUDE_TELEMETRY_USER: "bench", CLAUDE_TELEMETRY_TOKEN: $token}}' \
    >"$WORK/managed-$build/managed-settings.d/50-identity.json"
  ns=$WORK/ns-$build
  unshare --mount --propagation private sh -c "
    mount -t overlay overlay -o lowerdir=/etc,upperdir=$ns/etc-upper,workdir=$ns/etc-work /etc &&
    mount -t overlay overlay -o lowerdir=/opt,upperdir=$ns/opt-upper,workdir=$ns/opt-work /opt &&
    mkdir -p /etc/claude-code /opt/claude-telemetry/bin &&
    mount --bind $ROOT/k8s/claude-code/bin /opt/claude-telemetry/bin &&
    mount --bind $WORK/managed-$build /etc/claude-code && exec sleep infinity" & PIDS+=($!)
  NS_PID[$build]=$!
done
wait_http "http://127.0.0.1:$TRANSCRIPT_MGMT/q/health/ready"
sleep 1  # the namespaces' mounts

jq -c '.tool_input.command = "true"' "$ROOT/testdata/claude-code/hooks/PreToolUse-Bash.json" >"$WORK/pre.json"
jq -c . "$ROOT/testdata/claude-code/hooks/PostToolUse-Bash.json" >"$WORK/post.json"
jq -c . "$ROOT/testdata/claude-code/hooks/PostToolBatch.json" >"$WORK/batch.json"
# calls BUILD N GAP: N tool calls through that build's hook client, GAP seconds between events.
# shellcheck disable=SC2016  # the loop is bash -c's own program, its arguments passed as $1..$3
calls() {
  nsenter -t "${NS_PID[$1]}" -m -- bash -c '
    for _ in $(seq 1 "$1"); do
      /opt/claude-telemetry/bin/claude-guard <"$3/pre.json" >/dev/null; sleep "$2"
      /opt/claude-telemetry/bin/claude-hook <"$3/post.json"; sleep "$2"
      /opt/claude-telemetry/bin/claude-hook <"$3/batch.json"; sleep "$2"
    done' calls "$2" "$3" "$WORK"
}
# Every thread of a JVM: tid, name (digits dropped), ns on CPU.
threads() {
  for d in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${d##*/}" "$(sed 's/[-#0-9 ]*$//; s/ /_/g' "$d/comm" 2>/dev/null)" \
      "$(cut -d' ' -f1 "$d/schedstat" 2>/dev/null)"
  done | sort
}
compiled() { jstat -compiler "$1" | awk 'NR == 2 {print $1}'; }
# both N GAP: N calls through each build at the same time (a plain `wait` would wait for the services too).
both() {
  local baseline candidate
  calls baseline "$1" "$2" & baseline=$!
  calls candidate "$1" "$2" & candidate=$!
  wait "$baseline" "$candidate"
}

# Warm-up, as a pod that ran for days has its JIT compilers done: WARM_ROUNDS rounds of wrk (kept-alive and
# Connection: close, each event kind), then calls through the client, back to back and then spaced, and the
# forwarding backlog delivered.
for kind in pre post batch; do
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n' >"$WORK/$kind.lua"
  printf 'wrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$TOKEN" "$(cat "$WORK/$kind.json")" \
    >>"$WORK/$kind.lua"
done
for _ in $(seq 1 "${WARM_ROUNDS:-4}"); do
  for build in baseline candidate; do
    for kind in pre post batch; do
      wrk -t1 -c4 -d2s -s "$WORK/$kind.lua" "http://127.0.0.1:${PORT[$build]}/v1/hooks" >/dev/null
      wrk -t1 -c4 -d2s -H 'Connection: close' -s "$WORK/$kind.lua" "http://127.0.0.1:${PORT[$build]}/v1/hooks" >/dev/null
    done
  done
done
both "$WARM_CALLS" 0.002
both "$((WARM_CALLS / 2))" "$GAP"
for build in baseline candidate; do
  for _ in $(seq 1 300); do
    curl -s "http://127.0.0.1:${MGMT[$build]}/q/metrics" | grep -q '^claude_hook_forward_buffer_events 0.0' && break
    sleep 1
  done
done
echo "Machine: $(nproc) cores, load average before the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Methods compiled after the warm-up: baseline $(compiled "${INGEST_PID[baseline]}"), candidate $(compiled "${INGEST_PID[candidate]}")"
echo
: >"$WORK/by-thread"
echo "| round | wall / call | baseline ms / call | candidate ms / call |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for build in baseline candidate; do threads "${INGEST_PID[$build]}" >"$WORK/before-$build"; done
  started=$(date +%s%N)
  both "$CALLS" "$GAP"
  wall=$(( ($(date +%s%N) - started) / 1000 / CALLS ))
  sleep 1  # forwarding happens in the background
  row="| $round | $((wall / 1000)).$(printf '%03d' $((wall % 1000))) ms |"
  for build in baseline candidate; do
    threads "${INGEST_PID[$build]}" | join -a2 "$WORK/before-$build" - |
      awk -v n="$CALLS" -v b="$build" 'NF == 5 {print b, $2, ($5 - $3) / 1e6 / n} NF == 3 {print b, $2, $3 / 1e6 / n}' \
      >"$WORK/round-$build"
    cat "$WORK/round-$build" >>"$WORK/by-thread"
    row="$row $(awk '{s += $3} END {printf "%.2f", s}' "$WORK/round-$build") |"
  done
  echo "$row"
done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "By thread, ms per tool call (mean over the rounds; threads under 0.02 ms left out):"
echo
echo "| thread | baseline | candidate |"
echo "|---|---|---|"
awk -v r="$ROUNDS" '{s[$2, $1] += $3; names[$2]; t[$1] += $3}
  END {
    for (k in names) if ((s[k, "baseline"] + s[k, "candidate"]) / r >= 0.02)
      printf "| %s | %.2f | %.2f |\n", k, s[k, "baseline"] / r, s[k, "candidate"] / r
    printf "| all | %.2f | %.2f |\n", t["baseline"] / r, t["candidate"] / r
  }' "$WORK/by-thread" | sort -t'|' -k3 -nr
