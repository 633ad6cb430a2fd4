#!/usr/bin/env bash
# What hook-ingest's spool (HOOK_INGEST_SPOOL_DIR) costs, measured side by side with the spool off in the same
# run: two hook-ingest processes forwarding to the same stand-in transcript-service (a receiver that takes every
# batch and answers 200 at once, so its speed does not enter), both asking the same real policy-service.
#   1. observational throughput: PostToolUse events (a fresh tool_use_id each), wrk -t2 -c16, alternating;
#   2. the cost per event: PostToolUse on one connection (each answer waits for its own sync), p50 and p99;
#   3. the guard path: PreToolUse on one connection, straight to policy-service and through each hook-ingest,
#      alternating rounds (a guarded answer waits for the write, not the sync);
#   4. the group commit, from the spooling process's own metrics: events per sync, mean sync time.
# Targets (issue 15): >= 5,000 PostToolUse events/s with p99 < 20 ms with the spool on.
#
#   bench/hook-ingest/spool.sh    # needs: mvn -B -ntp -o -pl policy-service,hook-ingest package -DskipTests
#   DURATION=10 ROUNDS=6 GUARD_DURATION=2 bench/hook-ingest/spool.sh
#
# Bounded: every wrk run has -d <= 20 s. Everything listens on 127.0.0.1, free ports, stopped by PID. The spool
# lives in the run's work directory (removed at exit), on the disk /tmp is on.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-6}
GUARD_DURATION=${GUARD_DURATION:-2}
CONNECTIONS=${CONNECTIONS:-16}
if [ "$DURATION" -gt 20 ] || [ "$GUARD_DURATION" -gt 20 ]; then
  echo "bench: keep durations <= 20 s" >&2; exit 1
fi
TOKEN=bench-token-not-secret
bench_init hook-ingest-spool

metric() { # $1 = management URL, $2 = metric name (exact, no labels): its value summed over series
  curl -s -H 'Accept: text/plain; version=0.0.4' "$1/q/metrics" |
    awk -v name="$2" '($1 == name || index($1, name "{") == 1) { sum += $NF } END { printf "%.6f\n", sum }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }'; }

# The stand-in transcript-service: reads each batch, answers 200. Python's threaded server is plenty for the
# few dozen batches per second the forwarders send.
RECEIVER_PORT=$(free_port)
/usr/bin/python3 - "$RECEIVER_PORT" >"$WORK/receiver.log" 2>&1 <<'PY' & PIDS+=($!)
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"accepted":0,"duplicates":0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY

POLICY_PORT=$(free_port); POLICY_MGMT_PORT=$(free_port)
POLICY=http://127.0.0.1:$POLICY_PORT
QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$POLICY_PORT \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$POLICY_MGMT_PORT \
  java -Xmx256m -jar "$(jar policy-service)" >"$WORK/policy.log" 2>&1 & PIDS+=($!)

declare -A URL MGMT
for mode in memory spool; do
  port=$(free_port); mgmt=$(free_port)
  URL[$mode]=http://127.0.0.1:$port
  MGMT[$mode]=http://127.0.0.1:$mgmt
  spool_env=()
  if [ "$mode" = spool ]; then spool_env=(HOOK_INGEST_SPOOL_DIR="$WORK/spool"); fi
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$mgmt" \
    POLICY_SERVICE_URL="$POLICY" HOOK_INGEST_TOKEN=$TOKEN \
    TRANSCRIPT_SERVICE_URL="http://127.0.0.1:$RECEIVER_PORT" TRANSCRIPT_SERVICE_TOKEN=bench \
    "${spool_env[@]}" java -Xmx256m -jar "$(jar hook-ingest)" >"$WORK/ingest-$mode.log" 2>&1 & PIDS+=($!)
done
wait_http "http://127.0.0.1:$POLICY_MGMT_PORT/q/health/ready"
for mode in memory spool; do wait_http "${MGMT[$mode]}/q/health/ready"; done
curl -s "${MGMT[spool]}/q/health/ready" | jq -e '.checks[0].data.backlog | startswith("spool in ")' >/dev/null ||
  { echo "bench: the spooling hook-ingest does not say it spools" >&2; exit 1; }
curl -s "${MGMT[memory]}/q/health/ready" | jq -e '.checks[0].data.backlog | startswith("memory")' >/dev/null ||
  { echo "bench: the other hook-ingest is not on the memory buffer" >&2; exit 1; }

POST_TOOL_USE=$ROOT/testdata/claude-code/hooks/PostToolUse-Bash.json
PRE_TOOL_USE=$ROOT/testdata/claude-code/hooks/PreToolUse-Bash.json
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
post_script() { # $1 = path, $2 = file
  cat <<LUA
wrk.method = "POST"
wrk.path = "$1"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["X-Claude-Telemetry-User"] = "guard-bench"
wrk.body = [[$(jq -c . "$2")]]
LUA
}
post_script /v1/decisions "$PRE_TOOL_USE" >"$WORK/direct.lua"
post_script /v1/hooks "$PRE_TOOL_USE" >"$WORK/via.lua"
# The guard must really ask policy-service, or the comparison means nothing.
for mode in memory spool; do guard_relays "$POLICY" "${URL[$mode]}" "$PRE_TOOL_USE" "$TOKEN"; done

echo "# hook-ingest spool benchmark ($(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d" " -f1 /proc/loadavg) at start; wrk, both hook-ingest processes, policy-service and the receiver share the cores; spool on $(df --output=source,fstype "$WORK" | tail -1 | tr -s ' ' ' ')"
echo
for mode in memory spool; do
  wrk -t2 -c"$CONNECTIONS" -d5s -s "$WORK/post-tool-use.lua" "${URL[$mode]}/v1/hooks" >/dev/null
  wrk -t1 -c1 -d3s -s "$WORK/via.lua" "${URL[$mode]}" >/dev/null
done
wrk -t1 -c1 -d3s -s "$WORK/direct.lua" "$POLICY" >/dev/null

echo "## 1. PostToolUse throughput (wrk -t2 -c$CONNECTIONS -d${DURATION}s, 2 rounds each, alternating)"
echo "| round | backlog | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
for round in 1 2; do
  for mode in memory spool; do
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post-tool-use.lua" "${URL[$mode]}/v1/hooks" >"$WORK/tp-$mode-$round.txt"
    echo "| $round | $mode | $(rps "$WORK/tp-$mode-$round.txt") | $(latency_ms "$WORK/tp-$mode-$round.txt" 50%) ms | $(latency_ms "$WORK/tp-$mode-$round.txt" 99%) ms | $(non2xx "$WORK/tp-$mode-$round.txt") |"
  done
done
echo
syncs=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_count)
written=$(metric "${MGMT[spool]}" claude_hook_spool_written_events_total)
sync_sum=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_sum)
awk -v s="$syncs" -v w="$written" -v t="$sync_sum" 'BEGIN {
  printf "group commit so far (spool): %d events written with %d syncs: %.1f events per sync, mean sync %.3f ms\n", w, s, w / s, t / s * 1000 }'
echo

echo "## 2. Cost per event: PostToolUse on one connection (${GUARD_DURATION}s x $ROUNDS rounds each, alternating)"
echo "| round | memory p50 | spool p50 | added p50 | memory p99 | spool p99 |"
echo "|---|---|---|---|---|---|"
syncs0=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_count)
sync_sum0=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_sum)
for round in $(seq 1 "$ROUNDS"); do
  for mode in memory spool; do
    wrk -t1 -c1 -d"${GUARD_DURATION}s" --latency -s "$WORK/post-tool-use.lua" "${URL[$mode]}/v1/hooks" >"$WORK/one-$mode-$round.txt"
  done
  m50=$(latency_ms "$WORK/one-memory-$round.txt" 50%); s50=$(latency_ms "$WORK/one-spool-$round.txt" 50%)
  echo "| $round | $m50 ms | $s50 ms | $(awk -v a="$s50" -v b="$m50" 'BEGIN { printf "%.3f", a - b }') ms | $(latency_ms "$WORK/one-memory-$round.txt" 99%) ms | $(latency_ms "$WORK/one-spool-$round.txt" 99%) ms |"
  echo "$s50 $m50" >>"$WORK/one.txt"
done
syncs1=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_count)
sync_sum1=$(metric "${MGMT[spool]}" claude_hook_spool_sync_seconds_sum)
echo
echo "median added p50 over $ROUNDS rounds: $(awk '{ print $1 - $2 }' "$WORK/one.txt" | median) ms;" \
  "mean sync in these rounds: $(awk -v a="$sync_sum0" -v b="$sync_sum1" -v m="$syncs0" -v n="$syncs1" 'BEGIN { printf "%.3f", (b - a) / (n - m) * 1000 }') ms"
echo

echo "## 3. Guard path: PreToolUse on one connection (${GUARD_DURATION}s x $ROUNDS rounds each, alternating)"
echo "| round | direct p50 | via memory p50 | via spool p50 | spool - memory p50 | via memory p99 | via spool p99 |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  wrk -t1 -c1 -d"${GUARD_DURATION}s" --latency -s "$WORK/direct.lua" "$POLICY" >"$WORK/direct-$round.txt"
  for mode in memory spool; do
    wrk -t1 -c1 -d"${GUARD_DURATION}s" --latency -s "$WORK/via.lua" "${URL[$mode]}" >"$WORK/via-$mode-$round.txt"
  done
  d50=$(latency_ms "$WORK/direct-$round.txt" 50%)
  m50=$(latency_ms "$WORK/via-memory-$round.txt" 50%); s50=$(latency_ms "$WORK/via-spool-$round.txt" 50%)
  echo "| $round | $d50 ms | $m50 ms | $s50 ms | $(awk -v a="$s50" -v b="$m50" 'BEGIN { printf "%.3f", a - b }') ms | $(latency_ms "$WORK/via-memory-$round.txt" 99%) ms | $(latency_ms "$WORK/via-spool-$round.txt" 99%) ms |"
  echo "$s50 $m50 $d50" >>"$WORK/guard.txt"
done
echo
echo "median over $ROUNDS rounds: guard p50 via memory $(awk '{ print $2 }' "$WORK/guard.txt" | median) ms," \
  "via spool $(awk '{ print $1 }' "$WORK/guard.txt" | median) ms, added by the spool $(awk '{ print $1 - $2 }' "$WORK/guard.txt" | median) ms;" \
  "added by hook-ingest over policy-service direct (spool on) $(awk '{ print $1 - $3 }' "$WORK/guard.txt" | median) ms"
echo

# Everything answered was delivered: the receiver took every event each process forwarded, none dropped.
for _ in $(seq 1 100); do
  [ "$(metric "${MGMT[spool]}" claude_hook_forward_buffer_events)" = 0.000000 ] &&
    [ "$(metric "${MGMT[memory]}" claude_hook_forward_buffer_events)" = 0.000000 ] && break
  sleep 0.2
done
for mode in memory spool; do
  echo "$mode: $(metric "${MGMT[$mode]}" claude_hook_events_total | cut -d. -f1) events received," \
    "$(metric "${MGMT[$mode]}" claude_hook_forwarded_events_total | cut -d. -f1) forwarded," \
    "$(metric "${MGMT[$mode]}" claude_hook_forward_dropped_total | cut -d. -f1) dropped," \
    "$(metric "${MGMT[$mode]}" claude_hook_forward_buffer_events | cut -d. -f1) waiting"
done
echo "spool on disk at the end: $(metric "${MGMT[spool]}" claude_hook_spool_bytes | cut -d. -f1) bytes ($(find "$WORK/spool" -name '*.seg' | wc -l) segment files)"
