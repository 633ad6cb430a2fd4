package dev.claudetelemetry.transcript.redaction;

import java.util.Map;

/** Text after redaction and how many secrets of each kind were replaced in it. */
public record Redaction(String text, Map<String, Integer> counts) {
  public boolean changed() {
    return !counts.isEmpty();
  }
}
