#!/usr/bin/env python3
"""Upload throughput and search latency of a running transcript-service, each next to a baseline measured in
the same run on the same database: PostgreSQL COPY of the same lines into a bare table (the floor of any
storage path), and a sequential ILIKE scan for the same words (what search costs without the index).

usage: bench.py BASE_URL WRITE_TOKEN READ_TOKEN DATA_DIR PSQL_CMD...
"""
import glob
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

CHUNK = 8 * 1024 * 1024


def upload_all(base, token, files, workers=2, session_prefix=""):
    url = urllib.parse.urlparse(base)
    queue = list(files)
    lock = threading.Lock()
    stored = [0]
    errors = []

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            session = session_prefix + os.path.basename(path).split("-", 1)[1].rsplit(".", 1)[0]
            data = open(path, "rb").read()
            offset = 0
            while offset < len(data):
                body = data[offset:offset + CHUNK]
                conn.request("POST", f"/v1/transcripts/{session}/files/main?offset={offset}", body=body,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream",
                                      "X-Claude-Telemetry-User": "bench"})
                response = conn.getresponse()
                answer = response.read()
                if response.status != 200:
                    errors.append(f"{response.status} {answer[:200]!r}")
                    return
                result = json.loads(answer)
                with lock:
                    stored[0] += result["linesStored"]
                offset = result["offset"]
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit("upload failed: " + errors[0])
    return stored[0], elapsed


def copy_baseline(psql, files):
    """One psql session copies every file: a process per file would measure psql's start-up, not COPY."""
    subprocess.run(psql + ["-c", "DROP TABLE IF EXISTS bench_copy; CREATE UNLOGGED TABLE bench_copy (line text)"],
                   check=True, capture_output=True)
    script = "".join(f"\\copy bench_copy(line) FROM '{path}' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')\n"
                     for path in files)
    lines = 0
    for path in files:
        with open(path, "rb") as f:
            lines += sum(1 for _ in f)
    start = time.perf_counter()
    subprocess.run(psql, input=script.encode(), check=True, capture_output=True)
    return lines, time.perf_counter() - start


def search_latencies(base, token, query, runs):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    times = []
    hits = 0
    for _ in range(runs):
        start = time.perf_counter()
        conn.request("GET", "/v1/search?" + urllib.parse.urlencode({"q": query, "limit": 20}),
                     headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"search {query!r} answered {response.status}: {body[:200]!r}")
        hits = len(json.loads(body)["hits"])
    conn.close()
    return times, hits


def ilike_latency(psql, word, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(psql + ["-c", f"SELECT session_id, line_no FROM transcript_lines WHERE search_text ILIKE '%{word}%'"
                                      " ORDER BY occurred_at DESC NULLS LAST LIMIT 20"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def cpu_seconds_by_program():
    """User + system CPU seconds of every running process, summed per program name (java, postgres, ...)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        totals[name] = totals.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main():
    base, write, read, data_dir = sys.argv[1:5]
    psql = sys.argv[5:]
    files = sorted(glob.glob(os.path.join(data_dir, "*.jsonl")))
    size = sum(os.path.getsize(f) for f in files)

    # Warm-up: a long-running service has compiled its upload path; a fresh JVM spends most of its first
    # seconds in the JIT compiler. Reported, then truncated away, so the measured upload starts from a warm
    # service and an empty database, as a run without warm-up did.
    warmup = files[:max(10, len(files) // 10)]
    warm_lines, warm_elapsed = upload_all(base, write, warmup, session_prefix="warmup-")
    print(f"warm-up (fresh JVM, not counted): {warm_lines} lines in {warm_elapsed:.1f} s = {warm_lines / warm_elapsed:,.0f} lines/s")
    subprocess.run(psql + ["-c", "TRUNCATE sessions, transcript_files, transcript_lines, hook_events, otlp_events CASCADE"],
                   check=True, capture_output=True)

    cpu_before = cpu_seconds_by_program()
    lines, elapsed = upload_all(base, write, files)
    cpu = {name: used - cpu_before.get(name, 0) for name, used in cpu_seconds_by_program().items()}
    print(f"upload: {lines} lines, {size / 1e6:.0f} MB in {elapsed:.1f} s = {lines / elapsed:,.0f} lines/s"
          f" ({size / 1e6 / elapsed:.1f} MB/s), 2 concurrent clients, {CHUNK // (1024 * 1024)} MiB chunks")
    print("CPU during the upload (cores busy on average, of " + str(os.cpu_count()) + "): "
          + ", ".join(f"{name} {used / elapsed:.2f}" for name, used in sorted(cpu.items(), key=lambda kv: -kv[1])
                      if used / elapsed >= 0.01))
    base_lines, base_elapsed = copy_baseline(psql, files)
    print(f"baseline COPY into a bare unlogged table: {base_lines / base_elapsed:,.0f} lines/s;"
          f" service/baseline = {(lines / elapsed) / (base_lines / base_elapsed):.2f}")
    stored = subprocess.run(psql + ["-tA", "-c", "SELECT count(*) FROM transcript_lines"], check=True,
                            capture_output=True, text=True).stdout.strip()
    print(f"stored lines: {stored}")
    subprocess.run(psql + ["-c", "ANALYZE"], check=True, capture_output=True)

    queries = ["kubernetes", "rollback vacuum", "\"deploy build\"", "victim", "redact -token", "hello",
               "Listing", "47113", "sub done", "gzip OR protobuf"]
    all_times = []
    for q in queries:
        times, hits = search_latencies(base, read, q, 20)
        all_times.extend(times)
        print(f"search {q!r:22} hits={hits:2d} p50={statistics.median(times) * 1000:6.1f} ms"
              f" p95={p95(times) * 1000:6.1f} ms")
    print(f"search over all queries: p95 = {p95(all_times) * 1000:.1f} ms (target < 200 ms), {len(all_times)} requests")
    ilike = []
    for word in ["kubernetes", "victim", "47113"]:
        ilike.extend(ilike_latency(psql, word, 3))
    print(f"baseline ILIKE scan (psql, same words): p95 = {p95(ilike) * 1000:.0f} ms;"
          f" indexed/baseline = {p95(all_times) / p95(ilike):.3f}")


if __name__ == "__main__":
    main()
