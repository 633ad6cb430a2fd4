package dev.claudetelemetry.transcript.sessions;

import java.math.BigDecimal;
import java.time.Instant;

/** A session as the read API and the viewer show it. */
public record SessionSummary(
    String id,
    String user,
    String cwd,
    String model,
    Instant startedAt,
    Instant endedAt,
    String endReason,
    Instant lastActivityAt,
    BigDecimal costUsd,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheCreationTokens,
    String costSource,
    int denials) {}
