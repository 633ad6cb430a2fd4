-- Recorded tool calls in time order, for replaying a candidate policy over a window of history
-- (GET /v1/tool-calls): a keyset page is one range scan of this index, whatever the table's size.
CREATE INDEX hook_events_tool_calls ON hook_events (received_at, id) WHERE event_name = 'PreToolUse';
