-- Tamper evidence for transcripts. The digest state is SHA-256 of the bytes [0, acked_offset) of the file as it was
-- uploaded (upload.PrefixDigest's encoding); NULL for a file acknowledged before this column existed, which is then
-- not checked. A file that shrank below its acknowledged offset, or whose acknowledged bytes changed, starts a new
-- generation: its offset goes back to 0 and the file is stored again from its start, next to the old lines, which
-- stay as they were.
ALTER TABLE transcript_files ADD COLUMN prefix_digest bytea;
ALTER TABLE transcript_files ADD COLUMN generation integer NOT NULL DEFAULT 1;
ALTER TABLE transcript_lines ADD COLUMN generation integer NOT NULL DEFAULT 1;

-- What was noticed, for the session's audit trail (the viewer and GET /v1/sessions/{id} show it).
CREATE TABLE transcript_rewrites (
  id              bigserial PRIMARY KEY,
  session_id      text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  file_id         text NOT NULL,
  detected_at     timestamptz NOT NULL DEFAULT now(),
  -- shrank: the client's file is shorter than what was acknowledged; rewritten: its acknowledged bytes differ.
  kind            text NOT NULL CHECK (kind IN ('shrank', 'rewritten')),
  acked_offset    bigint NOT NULL,
  reported_size   bigint,
  -- The generation the file's later lines are stored under.
  new_generation  integer NOT NULL,
  first_line_no   integer NOT NULL
);
CREATE INDEX transcript_rewrites_session ON transcript_rewrites (session_id, detected_at);
