package dev.claudetelemetry.transcript.upload;

import java.time.Instant;
import java.util.Map;

/**
 * One transcript line ready to store: JSON ({@code json}) or, when it is not JSON, text ({@code
 * rawText}), already redacted, with what was extracted from it.
 */
public record StoredLine(
    long byteOffset,
    int byteLength,
    String lineType,
    String uuid,
    Instant occurredAt,
    String json,
    String rawText,
    boolean truncated,
    Map<String, Integer> redactions,
    String searchText,
    SessionFacts facts) {

  public boolean notJson() {
    return json == null;
  }

  public boolean redacted() {
    return !redactions.isEmpty();
  }
}
