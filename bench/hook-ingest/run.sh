#!/usr/bin/env bash
# hook-ingest under load, on loopback, with its baselines measured side by side in the same run:
#   1. ingest throughput: PostToolUse events (a fresh tool_use_id each) through POST /v1/hooks, next to
#      the same JVM's trivial GET /q/health/live (the ceiling the HTTP stack alone reaches here; it is
#      served on the management port, a second Vert.x server of the same JVM);
#   2. guard overhead: PreToolUse straight to policy-service's /v1/decisions vs through hook-ingest's
#      /v1/hooks (which asks that same policy-service), one connection each, alternating rounds.
# Afterwards it checks N in = N counted (the events wrk got answers for vs claude_hook_events_total) and
# fails on a mismatch. hook-ingest runs without forwarding: no transcript-service is started.
#
#   bench/hook-ingest/run.sh      # needs: mvn -B -ntp -o -pl policy-service,hook-ingest package -DskipTests
#   DURATION=10 CONNECTIONS=16 ROUNDS=10 GUARD_DURATION=2 bench/hook-ingest/run.sh
#
# Bounded: every wrk run has -d <= 20 s. Everything listens on 127.0.0.1, free ports, stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-10}
GUARD_DURATION=${GUARD_DURATION:-2}
if [ "$DURATION" -gt 20 ] || [ "$GUARD_DURATION" -gt 20 ]; then
  echo "bench: keep durations <= 20 s" >&2; exit 1
fi
TOKEN=bench-token-not-secret
bench_init hook-ingest

metric_sum() { # sum of a metric's samples whose labels contain $2
  curl -s -H 'Accept: text/plain; version=0.0.4' "$INGEST_MGMT/q/metrics" |
    awk -v name="$1" -v match_="$2" 'index($0, name "{") == 1 && index($0, match_) { sum += $NF } END { printf "%d\n", sum }'
}
metric_float() { # the same, as a decimal, for histogram sums in seconds
  curl -s -H 'Accept: text/plain; version=0.0.4' "$INGEST_MGMT/q/metrics" |
    awk -v name="$1" -v match_="$2" '(index($0, name "{") == 1 || index($0, name " ") == 1) && index($0, match_) { sum += $NF } END { printf "%.6f\n", sum }'
}
completed() { awk '/requests in/ { print $1 }' "$1"; }

POLICY_PORT=$(free_port); INGEST_PORT=$(free_port)
POLICY_MGMT_PORT=$(free_port); INGEST_MGMT_PORT=$(free_port)
POLICY=http://127.0.0.1:$POLICY_PORT
INGEST=http://127.0.0.1:$INGEST_PORT
INGEST_MGMT=http://127.0.0.1:$INGEST_MGMT_PORT
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$POLICY_MGMT_PORT \
  java -Xmx256m -jar "$(jar policy-service)" >"$WORK/policy.log" 2>&1 & PIDS+=($!)
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$INGEST_PORT POLICY_SERVICE_URL=$POLICY HOOK_INGEST_TOKEN=$TOKEN \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$INGEST_MGMT_PORT \
  java -Xmx256m -jar "$(jar hook-ingest)" >"$WORK/ingest.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$POLICY_MGMT_PORT/q/health/ready"
wait_http "$INGEST_MGMT/q/health/ready"

POST_TOOL_USE=$ROOT/testdata/claude-code/hooks/PostToolUse-Bash.json
PRE_TOOL_USE=$ROOT/testdata/claude-code/hooks/PreToolUse-Bash.json
# A fresh tool_use_id per request, so every event is a new tool call (the realistic, dearer path).
cat >"$WORK/post-tool-use.lua" <<LUA
local body = [[$(jq -c . "$POST_TOOL_USE")]]
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $TOKEN",
                 ["X-Claude-Telemetry-User"] = "bench"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/hooks", headers, (body:gsub("toolu_0000", "toolu_" .. tostring(n) .. "_" .. tostring(math.random(1e9)))))
end
LUA
post_script() { # $1 = path, $2 = file, $3 = user header
  cat <<LUA
wrk.method = "POST"
wrk.path = "$1"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["X-Claude-Telemetry-User"] = "$3"
wrk.body = [[$(jq -c . "$2")]]
LUA
}
post_script /v1/decisions "$PRE_TOOL_USE" guard-direct >"$WORK/direct.lua"
post_script /v1/hooks "$PRE_TOOL_USE" guard-bench >"$WORK/via.lua"

# The guard must really ask policy-service, or the comparison means nothing.
guard_relays "$POLICY" "$INGEST" "$PRE_TOOL_USE" "$TOKEN"

echo "# hook-ingest benchmark ($(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d" " -f1 /proc/loadavg) at start; wrk, hook-ingest and policy-service share the cores)"
echo
# Warm-up (JIT) for every path measured below.
wrk -t2 -c"$CONNECTIONS" -d5s -s "$WORK/post-tool-use.lua" "$INGEST/v1/hooks" >/dev/null
wrk -t1 -c1 -d3s -s "$WORK/direct.lua" "$POLICY" >/dev/null
wrk -t1 -c1 -d3s -s "$WORK/via.lua" "$INGEST" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d3s "$INGEST_MGMT/q/health/live" >/dev/null

events_before=$(metric_sum claude_hook_events_total 'user="bench"')
echo "## 1. Ingest throughput (wrk -t2 -c$CONNECTIONS -d${DURATION}s)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post-tool-use.lua" "$INGEST/v1/hooks" >"$WORK/ingest.txt"
events_after=$(metric_sum claude_hook_events_total 'user="bench"')
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$INGEST_MGMT/q/health/live" >"$WORK/health.txt"
echo "| endpoint | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
for run in ingest health; do
  label=$([ $run = ingest ] && echo "POST /v1/hooks (PostToolUse)" || echo "GET /q/health/live (baseline)")
  echo "| $label | $(rps "$WORK/$run.txt") | $(latency_ms "$WORK/$run.txt" 50%) ms | $(latency_ms "$WORK/$run.txt" 99%) ms | $(non2xx "$WORK/$run.txt") |"
done
echo
echo "ingest/baseline throughput ratio: $(awk -v a="$(rps "$WORK/ingest.txt")" -v b="$(rps "$WORK/health.txt")" 'BEGIN { printf "%.2f", a / b }')"
# wrk does not count requests still in flight when it stops (at most one per connection), so the
# counter may exceed wrk's completions by up to $CONNECTIONS, never fall short of them.
completed_requests=$(completed "$WORK/ingest.txt")
counted=$((events_after - events_before))
echo "N in = N counted: wrk completed $completed_requests requests; claude_hook_events_total{user=\"bench\"} rose by $counted" \
  "(hook-ingest runs without forwarding here: no transcript-service is started)"
if [ "$counted" -lt "$completed_requests" ] || [ "$counted" -gt $((completed_requests + CONNECTIONS)) ]; then
  echo "bench: counted $counted events for $completed_requests completed requests (allowed: up to $CONNECTIONS more in flight)" >&2
  exit 1
fi
echo

echo "## 2. Guard overhead: PreToolUse direct to policy-service vs through hook-ingest (1 connection, ${GUARD_DURATION}s x $ROUNDS rounds each, alternating)"
server_sum0=$(metric_float http_server_requests_seconds_sum 'uri="/v1/hooks"')
server_count0=$(metric_float http_server_requests_seconds_count 'uri="/v1/hooks"')
policy_sum0=$(metric_float claude_hook_guard_policy_request_seconds_sum '')
policy_count0=$(metric_float claude_hook_guard_policy_request_seconds_count '')
echo "| round | direct p50 | via hook-ingest p50 | added p50 | direct p99 | via p99 |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  wrk -t1 -c1 -d"${GUARD_DURATION}s" --latency -s "$WORK/direct.lua" "$POLICY" >"$WORK/direct-$round.txt"
  wrk -t1 -c1 -d"${GUARD_DURATION}s" --latency -s "$WORK/via.lua" "$INGEST" >"$WORK/via-$round.txt"
  d50=$(latency_ms "$WORK/direct-$round.txt" 50%); v50=$(latency_ms "$WORK/via-$round.txt" 50%)
  d99=$(latency_ms "$WORK/direct-$round.txt" 99%); v99=$(latency_ms "$WORK/via-$round.txt" 99%)
  echo "| $round | $d50 ms | $v50 ms | $(awk -v a="$v50" -v b="$d50" 'BEGIN { printf "%.3f", a - b }') ms | $d99 ms | $v99 ms |"
  echo "$v50 $d50" >>"$WORK/guard.txt"
done
echo
awk '{ print $1 - $2 }' "$WORK/guard.txt" | sort -n | awk '{ a[NR] = $1 } END { printf "median added p50 over %d rounds: %.3f ms (target < 1 ms)\n", NR, a[int((NR + 1) / 2)] }'
server_sum1=$(metric_float http_server_requests_seconds_sum 'uri="/v1/hooks"')
server_count1=$(metric_float http_server_requests_seconds_count 'uri="/v1/hooks"')
policy_sum1=$(metric_float claude_hook_guard_policy_request_seconds_sum '')
policy_count1=$(metric_float claude_hook_guard_policy_request_seconds_count '')
awk -v s0="$server_sum0" -v s1="$server_sum1" -v n0="$server_count0" -v n1="$server_count1" \
    -v p0="$policy_sum0" -v p1="$policy_sum1" -v m0="$policy_count0" -v m1="$policy_count1" 'BEGIN {
  server = (s1 - s0) / (n1 - n0) * 1000; policy = (p1 - p0) / (m1 - m0) * 1000
  printf "inside hook-ingest (its own metrics, means over %d guarded requests): request %.3f ms, of which waiting for policy-service %.3f ms: hook-ingest itself %.3f ms\n", n1 - n0, server, policy, server - policy }'
for round in $(seq 1 "$ROUNDS"); do
  if [ "$(non2xx "$WORK/direct-$round.txt")" != 0 ] || [ "$(non2xx "$WORK/via-$round.txt")" != 0 ]; then
    echo "WARNING: round $round had non-2xx answers"
  fi
done
echo "guard decisions by source: policy=$(metric_sum claude_hook_guard_decisions_total 'source="policy"')," \
  "fail-closed=$(metric_sum claude_hook_guard_decisions_total 'source="fail-closed"')"
