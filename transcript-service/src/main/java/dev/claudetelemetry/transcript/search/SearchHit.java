package dev.claudetelemetry.transcript.search;

import java.time.Instant;

/**
 * One match: a transcript line ({@code fileId}, {@code lineNo}) or a hook event ({@code eventId}).
 * {@code headline} is HTML-escaped text with the matched words in {@code <mark>}.
 */
public record SearchHit(
    String source,
    String sessionId,
    String fileId,
    Integer lineNo,
    String eventId,
    Instant at,
    String kind,
    String headline) {}
