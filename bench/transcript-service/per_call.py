#!/usr/bin/env python3
"""What one tool call of a Claude Code session costs transcript-service and its PostgreSQL, in CPU.

per_call.py MODE N URL SERVICE_TOKEN USER_TOKEN SERVICE_PID POSTGRES_PID [BATCH]

Drives one transcript-service the way a pod's hooks and hook-ingest do, and prints one JSON line: the CPU the
service used (in all, and without its JIT compiler threads, which go quiet in a long-running service), and the CPU
its PostgreSQL used (the server with the children it reaped, e.g. autovacuum workers, and the running backends),
from the start until a second after the end, in ms.

- calls: N tool calls paced like bench/guard's sessions (one every CALL_SECONDS=0.11 s, 30 per session). Each call's
  three events (PreToolUse with its decision, PostToolUse, PostToolBatch, from testdata) go to POST /v1/events in
  batches as hook-ingest's forwarder sends them (a batch leaves LINGER_SECONDS=0.2 after its first event), over one
  kept-alive connection. The session's transcript grows by one batch's lines per call (testdata's
  session-with-denials.jsonl in 30 parts, written to a file) and uploaded by the real claude-transcript-sync (SYNC_CLIENT,
  the env-configured build of hook-client/target/local: a PostToolBatch input, GET the offset, then POST from it with
  the size and prefix digest, each on its own connection with the user's token): on the first batch, then at most
  every 5 s, and at the session's end.
- events: N tool calls' events back to back, BATCH (default 3) per request.
- uploads: N uploads back to back, one batch's lines each, through claude-transcript-sync.
- syncs: N uploads through claude-transcript-sync, one every SYNC_PACE_SECONDS (default 0.5): a session's uploads,
  closer together than the 5 s interval so that a round takes minutes, not hours.
- idle: N seconds of nothing (timers, pool housekeeping): what a paced round's figures hold besides its calls.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODE, N, URL, SERVICE_TOKEN, USER_TOKEN, SERVICE_PID, POSTGRES_PID = sys.argv[1:8]
N = int(N)
BATCH = int(sys.argv[8]) if len(sys.argv) > 8 else 3
CALL_SECONDS = float(os.environ.get("CALL_SECONDS", "0.11"))
LINGER_SECONDS = float(os.environ.get("LINGER_SECONDS", "0.2"))
SYNC_SECONDS = 5
CALLS_PER_SESSION = 30
SYNC_PACE_SECONDS = float(os.environ.get("SYNC_PACE_SECONDS", "0.5"))
SYNC_CLIENT = os.environ["SYNC_CLIENT"]
HOST, PORT = URL.split("://")[1].split(":")
PORT = int(PORT)
HZ = os.sysconf("SC_CLK_TCK")


def ticks(stat_path, children=False):
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime, stime (and cutime, cstime: children reaped) are fields 14-17 of stat, 12-15 after the command name.
    return sum(int(x) for x in fields[11:15 if children else 13])


def cpu():
    service = ticks(f"/proc/{SERVICE_PID}/stat")
    jit = 0
    for tid in os.listdir(f"/proc/{SERVICE_PID}/task"):
        try:
            with open(f"/proc/{SERVICE_PID}/task/{tid}/comm") as f:
                if f.read().startswith(("C1 Compiler", "C2 Compiler")):
                    jit += ticks(f"/proc/{SERVICE_PID}/task/{tid}/stat")
        except FileNotFoundError:
            pass
    postgres = ticks(f"/proc/{POSTGRES_PID}/stat", children=True)
    with open(f"/proc/{POSTGRES_PID}/task/{POSTGRES_PID}/children") as f:
        for child in f.read().split():
            try:
                postgres += ticks(f"/proc/{child}/stat")
            except FileNotFoundError:
                pass
    return service, jit, postgres


def hook(name):
    with open(os.path.join(ROOT, "testdata/claude-code/hooks", name + ".json")) as f:
        return json.load(f)


PRE, POST, BATCH_EVENT = hook("PreToolUse-Bash"), hook("PostToolUse-Bash"), hook("PostToolBatch")
STOP = hook("Stop")
PRE["tool_input"]["command"] = "true"
with open(os.path.join(ROOT, "testdata/claude-code/transcripts/session-with-denials.jsonl"), "rb") as f:
    LINES = f.read().splitlines(True)


def part(call):
    """The transcript lines one tool batch adds: the recorded transcript in CALLS_PER_SESSION parts."""
    per = max(1, len(LINES) // CALLS_PER_SESSION)
    i = call % CALLS_PER_SESSION
    return b"".join(LINES[i * per:(i + 1) * per] if i < CALLS_PER_SESSION - 1 else LINES[i * per:])


def call_events(session):
    """One tool call's events as hook-ingest forwards them (docs/contracts.md)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    decision = {"verdict": "none", "ruleId": None, "mode": "enforce", "source": "policy", "reason": None}
    return [{"id": str(uuid.uuid4()), "receivedAt": now, "user": "bench", "event": dict(event, session_id=session),
             "decision": decision if event is PRE else None} for event in (PRE, POST, BATCH_EVENT)]


class Events:
    def __init__(self):
        self.connection = http.client.HTTPConnection(HOST, PORT)

    def post(self, events):
        self.connection.request("POST", "/v1/events", json.dumps({"events": events}, separators=(",", ":")),
                                {"Authorization": "Bearer " + SERVICE_TOKEN, "Content-Type": "application/json"})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"per_call: POST /v1/events answered {response.status}: {body[:300]!r}")


def get(path):
    """One GET with the user's token on its own connection."""
    with socket.create_connection((HOST, PORT)) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}:{PORT}\r\nAuthorization: Bearer {USER_TOKEN}\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    payload = json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"null")
    if status != 200:
        sys.exit(f"per_call: GET {path} answered {status}: {payload}")
    return payload


SYNCED = {}  # session: the transcript's size at its last sync, checked after the CPU is read
TRANSCRIPTS = tempfile.mkdtemp(prefix="per-call-")
SYNC_ENV = {"TRANSCRIPT_SERVICE_URL": URL, "CLAUDE_TELEMETRY_TOKEN": USER_TOKEN, "CLAUDE_TELEMETRY_USER": "bench",
            "CLAUDE_TRANSCRIPT_BATCH_SECONDS": "0", "PATH": "/usr/bin:/bin"}


def sync(session, content, event=BATCH_EVENT):
    """Writes the transcript as it is now and runs the real sync on a hook event (PostToolBatch or Stop)."""
    path = os.path.join(TRANSCRIPTS, session + ".jsonl")
    with open(path, "ab") as f:
        f.write(content[os.path.getsize(path) if os.path.exists(path) else 0:])
    hook_input = dict(event, session_id=session, transcript_path=path, cwd="/home/claude-user/workspace")
    subprocess.run([SYNC_CLIENT], input=json.dumps(hook_input).encode(), env=SYNC_ENV, check=True)
    SYNCED[session] = len(content)


def calls():
    events = Events()
    pending, first_at, start = [], None, time.monotonic()
    for call in range(N):
        if call % CALLS_PER_SESSION == 0:
            session, content, synced_at = str(uuid.uuid4()), b"", None
        while time.monotonic() < start + call * CALL_SECONDS:
            if pending and time.monotonic() - first_at >= LINGER_SECONDS:
                events.post(pending)
                pending = []
            time.sleep(0.002)
        first_at = first_at if pending else time.monotonic()
        pending += call_events(session)
        content += part(call)
        last = call % CALLS_PER_SESSION == CALLS_PER_SESSION - 1
        if synced_at is None or time.monotonic() - synced_at >= SYNC_SECONDS or last:
            sync(session, content, STOP if last else BATCH_EVENT)
            synced_at = time.monotonic()
    if pending:
        events.post(pending)


def events_back_to_back():
    events = Events()
    pending = []
    session = None
    for call in range(N):
        if call % CALLS_PER_SESSION == 0:
            session = str(uuid.uuid4())
        for event in call_events(session):
            pending.append(event)
            if len(pending) == BATCH:
                events.post(pending)
                pending = []
    if pending:
        events.post(pending)


def uploads(pace=0.0):
    start = time.monotonic()
    for call in range(N):
        if call % CALLS_PER_SESSION == 0:
            session, content = str(uuid.uuid4()), b""
        time.sleep(max(0.0, start + call * pace - time.monotonic()))
        content += part(call)
        sync(session, content)


before, started = cpu(), time.monotonic()
{"calls": calls, "events": events_back_to_back, "uploads": uploads,
 "syncs": lambda: uploads(SYNC_PACE_SECONDS),
 "idle": lambda: time.sleep(N)}[MODE]()
wall = time.monotonic() - started
time.sleep(1)  # what the requests left to do (autovacuum's wake-ups aside)
after = cpu()
for session, size in SYNCED.items():
    stored = get(f"/v1/transcripts/{session}/files/main")["offset"]
    if stored != size:
        sys.exit(f"per_call: {session}: the sync stored {stored} of {size} bytes")
shutil.rmtree(TRANSCRIPTS)
ms = [(a - b) * 1000 / HZ for a, b in zip(after, before)]
print(json.dumps({"mode": MODE, "n": N, "wall_s": round(wall, 1), "service_ms": ms[0],
                  "service_without_jit_ms": ms[0] - ms[1], "postgres_ms": ms[2]}))
