-- Search answers the newest matches first. This index finds where the newest lines begin, so a search can
-- first combine the GIN index with "only recent lines" instead of fetching and sorting every match of a
-- common word (see SearchService). It is never walked row by row for a search: words frequent overall but
-- absent from recent lines made that cost seconds.
CREATE INDEX transcript_lines_recent ON transcript_lines (occurred_at DESC NULLS LAST);
