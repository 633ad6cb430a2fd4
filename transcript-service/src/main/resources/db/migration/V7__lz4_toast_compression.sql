-- The large values (transcript lines, hook inputs) are compressed with lz4 instead of PostgreSQL's default pglz
-- when they are compressed: lz4 takes about a third of pglz's CPU to compress transcript lines and about half to
-- read them back (export, viewer, search), for 2 % more bytes. Rows stored before keep pglz; both read back
-- alike. A server built without lz4 (an option since PostgreSQL 14) keeps pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE transcript_lines
      ALTER COLUMN content SET COMPRESSION lz4,
      ALTER COLUMN raw_text SET COMPRESSION lz4,
      ALTER COLUMN search_text SET COMPRESSION lz4,
      ALTER COLUMN search SET COMPRESSION lz4;
    ALTER TABLE hook_events
      ALTER COLUMN payload SET COMPRESSION lz4,
      ALTER COLUMN search SET COMPRESSION lz4;
  END IF;
END
$$;
