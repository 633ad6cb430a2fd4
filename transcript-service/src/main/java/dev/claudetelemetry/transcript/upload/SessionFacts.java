package dev.claudetelemetry.transcript.upload;

import java.math.BigDecimal;

/**
 * What a transcript line tells about its session, all optional: working directory, model, and the
 * totals of a {@code cost-state} line.
 */
public record SessionFacts(String cwd, String model, CostTotals cost) {
  public static final SessionFacts NONE = new SessionFacts(null, null, null);

  public record CostTotals(
      BigDecimal costUsd,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheCreationTokens) {}
}
