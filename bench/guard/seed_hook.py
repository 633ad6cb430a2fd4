#!/usr/bin/python3
"""The starting stack's hook, rebuilt as the benchmark's baseline (it is not part of claude-telemetry).

One fresh Python process per hook event: parse the input, build a fresh registry, count the event with the
session id as a label, push it to a Pushgateway. push_to_gateway() replaces the whole group, so the
Pushgateway only ever holds the last push: N identical events show as 1. The rm -rf check is the seed's
substring test. Usage: seed_hook.py <pushgateway host:port>  (hook input on stdin)
"""
import json
import sys

from prometheus_client import CollectorRegistry, Counter, push_to_gateway


def main():
    gateway = sys.argv[1]
    event = json.load(sys.stdin)
    registry = CollectorRegistry()
    counter = Counter("claude_code_hook_events", "Hook events", ["event", "tool", "session_id"],
                      registry=registry)
    counter.labels(event.get("hook_event_name", ""), event.get("tool_name", ""),
                   event.get("session_id", "")).inc()
    try:
        push_to_gateway(gateway, job="claude_code_hooks", registry=registry, timeout=5)
    except Exception as e:  # the seed logged and carried on
        print(f"push failed: {e}", file=sys.stderr)
    command = (event.get("tool_input") or {}).get("command", "")
    if event.get("hook_event_name") == "PreToolUse" and "rm -rf" in command:
        print(json.dumps({"decision": "block", "reason": "rm -rf is not allowed"}))


if __name__ == "__main__":
    main()
