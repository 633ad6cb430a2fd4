#!/usr/bin/env python3
"""Writes realistic transcript files for the benchmark: the lines of the recorded Claude Code 2.1.330
transcripts (testdata/claude-code/transcripts), with fresh session ids and uuids, and the conversation text
varied with words from a vocabulary so the full-text index sees a realistic spread of terms.

usage: generate.py OUT_DIR TOTAL_LINES LINES_PER_SESSION
"""
import json
import os
import random
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = [os.path.join(HERE, "../../testdata/claude-code/transcripts", f)
           for f in ("session-with-denials.jsonl", "session-with-subagents.jsonl", "subagent.jsonl")]
# Giant bookkeeping lines (prompt snapshots, request shapes) appear once per session; keep them, but rarely.
VOCABULARY = ("deploy build test refactor migrate schema index query latency cache retry timeout kubernetes "
              "helm chart pod service ingress secret config policy guard hook transcript session token "
              "redact search highlight viewer grafana prometheus metric counter histogram alert rule "
              "postgres flyway agroal quarkus jackson protobuf otlp collector exporter gzip chunk offset "
              "upload resume conflict gap lock transaction commit rollback vacuum analyze partition").split()


def vary(value, rng):
    if isinstance(value, str):
        if len(value) < 3:
            return value
        words = rng.sample(VOCABULARY, 4)
        return value + " " + " ".join(words) + " " + str(rng.randint(0, 99999))
    if isinstance(value, list):
        return [vary(v, rng) for v in value]
    if isinstance(value, dict):
        return {k: (vary(v, rng) if k in ("text", "content", "command", "description") else v) for k, v in value.items()}
    return value


def main():
    out_dir, total, per_session = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(42)
    templates = []
    for path in SOURCES:
        with open(path, encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                weight = 1 if len(line) > 8000 else 20
                templates.extend([obj] * weight)
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    n = 0
    while written < total:
        session = str(uuid.UUID(int=rng.getrandbits(128)))
        count = min(per_session, total - written)
        with open(os.path.join(out_dir, f"{n:06d}-{session}.jsonl"), "w", encoding="utf-8") as f:
            for _ in range(count):
                obj = dict(rng.choice(templates))
                obj["sessionId"] = session
                if "uuid" in obj:
                    obj["uuid"] = str(uuid.UUID(int=rng.getrandbits(128)))
                if "message" in obj and isinstance(obj["message"], dict):
                    message = dict(obj["message"])
                    message["content"] = vary(message.get("content"), rng)
                    obj["message"] = message
                f.write(json.dumps(obj, separators=(",", ":")) + "\n")
        written += count
        n += 1
    print(f"{written} lines in {n} sessions under {out_dir}")


if __name__ == "__main__":
    main()
