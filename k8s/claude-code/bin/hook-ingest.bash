# shellcheck shell=bash disable=SC2034  # HOOK_INGEST_STATUS, _BODY and _INPUT are read by the caller
# hook-ingest.bash: the HTTP client of claude-guard and claude-hook, sourced by both.
#
# Why bash's /dev/tcp and not curl: both hooks run once per tool call, and a process start is most of what a
# hook costs. On the machine kind this project is measured on, a curl request takes 4-6x what an empty bash
# takes to start and exit (mostly page faults over curl's ~30 libraries; bench/guard); here the whole request is
# made by the bash process Claude Code already started. Bash is in every claude-code image (Claude Code's Bash
# tool needs it).
# Plain http only: hook-ingest is an in-cluster Service (a mesh sidecar, if any, adds TLS below this).
#
# Everything it reads comes from the managed settings (see ../README.md); callers check the token and user.
#
# Sourcing it sets LC_ALL=C for the rest of the hook: lengths and `read -N` count bytes, as Content-Length does.

LC_ALL=C

# hook_ingest_safe_header_value VALUE: whether VALUE can go into a header line as it is;
# quotes, backslashes and control characters could break out.
hook_ingest_safe_header_value() {
  case $1 in
    '' | *[!A-Za-z0-9._~+/=@:-]*) return 1 ;;
  esac
  return 0
}

# hook_ingest_read_input: all of stdin (up to 8 MiB; hook-ingest refuses more than 1 MiB anyway) into
# HOOK_INGEST_INPUT. Claude Code (Node) hands hooks their stdin as a socket, which cannot be opened again as
# /dev/stdin, so `$(</dev/stdin)` reads nothing; `read -N` reads fd 0 itself, in blocks.
hook_ingest_read_input() {
  HOOK_INGEST_INPUT=''
  IFS= read -r -d '' -N 8388608 HOOK_INGEST_INPUT || true
}

# hook_ingest_post TIMEOUT
#   Sends stdin to ${HOOK_INGEST_URL}/v1/hooks and waits at most TIMEOUT seconds for the answer to begin.
#   Sets HOOK_INGEST_STATUS (the HTTP status, or empty) and HOOK_INGEST_BODY (the answer's body; at most
#   64 KiB of the answer are read, bytes after that never are).
#   Returns 0 when an answer came; 2 when HOOK_INGEST_URL is not an http:// URL; 7 when hook-ingest could not
#   be reached (no address, or connection refused); 28 when it did not answer in time; 1 otherwise.
hook_ingest_post() {
  local timeout=$1 url=${HOOK_INGEST_URL%/} rest hostport host port path request socket answer answer_rest status
  HOOK_INGEST_STATUS='' HOOK_INGEST_BODY=''
  case $url in
    http://*) rest=${url#http://} ;;
    *) return 2 ;;
  esac
  hostport=${rest%%/*}
  path=${rest#"$hostport"}
  case $hostport in
    \[*\]:*) host=${hostport%%]:*} host=${host#\[} port=${hostport##*]:} ;;
    \[*\]) host=${hostport#\[} host=${host%]} port=80 ;;
    *:*) host=${hostport%:*} port=${hostport##*:} ;;
    *) host=$hostport port=80 ;;
  esac
  case $host in '' | *[!A-Za-z0-9.:-]*) return 2 ;; esac
  case $port in '' | *[!0-9]*) return 2 ;; esac
  case $path in *[!A-Za-z0-9._~/-]*) return 2 ;; esac

  hook_ingest_read_input
  request="POST ${path}/v1/hooks HTTP/1.0"$'\r\n'"Host: ${hostport}"$'\r\n'
  request+="Authorization: Bearer ${CLAUDE_TELEMETRY_TOKEN}"$'\r\n'
  if [ -n "${CLAUDE_TELEMETRY_USER:-}" ]; then
    request+="X-Claude-Telemetry-User: ${CLAUDE_TELEMETRY_USER}"$'\r\n'
  fi
  request+="Content-Type: application/json"$'\r\n'"Content-Length: ${#HOOK_INGEST_INPUT}"$'\r\n'$'\r\n'"${HOOK_INGEST_INPUT}"

  # HTTP/1.0: the answer is never chunked and ends when hook-ingest closes the connection. The connect has no
  # bound in bash: a refused connection fails at once, but one whose packets are dropped (say, a NetworkPolicy
  # that forgot hook-ingest) waits until Claude Code's hook timeout ends the hook, and the handler's
  # `onFailure: "block"` denies. A watchdog process for the connect would cost more than a third of the whole
  # hook (measured in bench/guard).
  trap '' PIPE
  {
    exec {socket}<>"/dev/tcp/${host}/${port}" || return 7
    printf '%s' "$request" >&"$socket"
  } 2>/dev/null
  # `read -t` bounds the wait for the answer to begin. The rest is read without it: with a timeout, bash blocks
  # and unblocks signals around every byte it stores (two system calls a byte, ~470 for one decision), and an
  # answer this small arrives in one piece. One that stopped halfway is ended by Claude Code's hook timeout.
  IFS= read -r -N 1 -t "$timeout" answer <&"$socket"
  status=$?
  if [ "$status" -le 128 ]; then
    IFS= read -r -d '' -N 65535 answer_rest <&"$socket"
    answer+=$answer_rest
  fi
  exec {socket}>&-
  if [ "$status" -gt 128 ]; then
    return 28
  fi
  case $answer in
    HTTP/1.[01]\ [0-9][0-9][0-9]*$'\r\n'*) ;;
    *) return 1 ;;
  esac
  HOOK_INGEST_STATUS=${answer:9:3}
  case $answer in
    *$'\r\n\r\n'*) HOOK_INGEST_BODY=${answer#*$'\r\n\r\n'} ;;
  esac
  return 0
}
