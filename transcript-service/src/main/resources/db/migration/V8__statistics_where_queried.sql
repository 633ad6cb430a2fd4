-- ANALYZE collects no statistics for the large columns no query filters, joins or sorts by: the hook input, the
-- transcript line, search and reason texts, OTLP attributes (searches go through the tsvector columns, whose
-- statistics stay). Autovacuum analyzes these tables about every tenth of their size in new rows; statistics of
-- the large columns took most of that work (sorting and comparing thousands of long values per run), about as much
-- CPU per stored event as storing it, and no plan reads them.
ALTER TABLE hook_events
  ALTER COLUMN payload SET STATISTICS 0,
  ALTER COLUMN search_text SET STATISTICS 0,
  ALTER COLUMN reason SET STATISTICS 0,
  ALTER COLUMN dryrun SET STATISTICS 0;
ALTER TABLE transcript_lines
  ALTER COLUMN content SET STATISTICS 0,
  ALTER COLUMN raw_text SET STATISTICS 0,
  ALTER COLUMN search_text SET STATISTICS 0;
ALTER TABLE otlp_events
  ALTER COLUMN attributes SET STATISTICS 0;
