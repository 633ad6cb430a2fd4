package dev.claudetelemetry.transcript.sessions;

import java.time.Instant;

/**
 * Filters of the session list; nulls mean "any". {@code text} is a web-search style full-text
 * query.
 */
public record SessionFilter(
    String user,
    Instant since,
    Instant until,
    String text,
    Boolean hadDenials,
    int limit,
    int offset) {}
