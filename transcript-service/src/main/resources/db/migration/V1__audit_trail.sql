-- The audit trail: sessions, their transcript files and lines, hook events with policy decisions, and
-- Claude Code's OTLP events. Everything a session owns cascades from its sessions row (retention deletes it).

CREATE TABLE sessions (
  id                    text PRIMARY KEY,
  user_name             text,
  cwd                   text,
  model                 text,
  started_at            timestamptz,
  ended_at              timestamptz,
  end_reason            text,
  last_activity_at      timestamptz NOT NULL DEFAULT now(),
  -- Cost and tokens: summed from OTLP api_request events when the collector forwards them ('otlp'),
  -- otherwise the last cost-state line of the transcript ('transcript').
  cost_usd              numeric(18, 8),
  input_tokens          bigint,
  output_tokens         bigint,
  cache_read_tokens     bigint,
  cache_creation_tokens bigint,
  cost_source           text CHECK (cost_source IN ('otlp', 'transcript')),
  denials               integer NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_recent ON sessions (last_activity_at DESC);
CREATE INDEX sessions_user_recent ON sessions (user_name, last_activity_at DESC);
CREATE INDEX sessions_with_denials ON sessions (last_activity_at DESC) WHERE denials > 0;

-- One row per (session, file): the acknowledged byte offset the sync client resumes from. Uploads lock this
-- row (SELECT ... FOR UPDATE), so two uploads of the same file serialise instead of duplicating lines.
CREATE TABLE transcript_files (
  session_id        text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  file_id           text NOT NULL,
  acked_offset      bigint NOT NULL DEFAULT 0,
  line_count        integer NOT NULL DEFAULT 0,
  -- true while the bytes after acked_offset are the rest of a line longer than the line limit, already
  -- stored truncated: they are skipped up to the next newline.
  in_oversized_line boolean NOT NULL DEFAULT false,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, file_id)
);

CREATE TABLE transcript_lines (
  session_id  text NOT NULL,
  file_id     text NOT NULL,
  line_no     integer NOT NULL,
  byte_offset bigint NOT NULL,
  byte_length integer NOT NULL,
  line_type   text,
  uuid        text,
  occurred_at timestamptz,
  -- The line as Claude Code wrote it (after redaction). json, not jsonb: json keeps the text verbatim (key
  -- order, spacing, \u0000 escapes), so the JSONL export gives back what was uploaded; the JSON operators
  -- (->, ->>) still work for ad-hoc and Grafana queries.
  content     json,
  -- Lines that are not JSON (or were cut at the line limit) are kept as text here instead, flagged.
  raw_text    text,
  not_json    boolean NOT NULL DEFAULT false,
  truncated   boolean NOT NULL DEFAULT false,
  redacted    boolean NOT NULL DEFAULT false,
  -- Human-readable text of the line (messages, tool inputs and results) for full-text search and highlights.
  search_text text,
  search      tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED,
  PRIMARY KEY (session_id, file_id, line_no),
  FOREIGN KEY (session_id, file_id) REFERENCES transcript_files (session_id, file_id) ON DELETE CASCADE
);
CREATE INDEX transcript_lines_search ON transcript_lines USING gin (search);
CREATE INDEX transcript_lines_uuid ON transcript_lines (uuid) WHERE uuid IS NOT NULL;

-- Hook events forwarded by hook-ingest, each with the policy decision taken on it (if any).
CREATE TABLE hook_events (
  id              text PRIMARY KEY,
  session_id      text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  received_at     timestamptz NOT NULL,
  user_name       text,
  event_name      text NOT NULL,
  tool_name       text,
  tool_use_id     text,
  agent_id        text,
  payload         jsonb NOT NULL,
  verdict         text,
  rule_id         text,
  mode            text,
  decision_source text,
  reason          text,
  redacted        boolean NOT NULL DEFAULT false,
  search_text     text,
  search          tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED
);
CREATE INDEX hook_events_session ON hook_events (session_id, received_at);
CREATE INDEX hook_events_search ON hook_events USING gin (search);
CREATE INDEX hook_events_denied ON hook_events (received_at DESC)
  WHERE verdict = 'deny' OR decision_source = 'fail-closed';

-- Claude Code's own events (OTLP logs via the collector): api_request, tool_result, user_prompt, ...
CREATE TABLE otlp_events (
  id          bigserial PRIMARY KEY,
  -- session, event name, sequence and timestamp: a collector retry of the same record is stored once.
  dedup_key   text NOT NULL UNIQUE,
  session_id  text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  event_name  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  prompt_id   text,
  attributes  jsonb NOT NULL
);
CREATE INDEX otlp_events_session ON otlp_events (session_id, occurred_at);

-- The stable, read-only interface for Grafana's "recent denials" table: one row per denied PreToolUse or
-- PermissionRequest (an enforced deny, or a fail-closed answer when the policy could not be asked).
CREATE VIEW audit_denials AS
SELECT e.received_at                                        AS occurred_at,
       e.session_id                                         AS session_id,
       coalesce(e.user_name, s.user_name)                   AS user_name,
       e.tool_name                                          AS tool,
       e.rule_id                                            AS rule_id,
       e.reason                                             AS reason,
       coalesce(e.payload -> 'tool_input' ->> 'command',
                e.payload -> 'tool_input' ->> 'file_path',
                e.payload ->> 'tool_input')                 AS command
FROM hook_events e
LEFT JOIN sessions s ON s.id = e.session_id
WHERE e.event_name IN ('PreToolUse', 'PermissionRequest')
  AND ((e.verdict = 'deny' AND e.mode = 'enforce') OR e.decision_source = 'fail-closed');

-- Grafana reads through a role of its own when the operator created one (the chart does); never fail without.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    GRANT SELECT ON audit_denials, sessions TO grafana_reader;
  END IF;
END
$$;
