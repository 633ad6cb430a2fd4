package dev.claudetelemetry.e2e.claude;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What one {@code claude -p --output-format json} run printed and how it ended. */
public record ClaudeResult(int exitCode, String stdout, String stderr, Duration took) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The final JSON object Claude Code printed; fails with the output when there is none. */
  public JsonNode json() {
    String trimmed = stdout.strip();
    int start = trimmed.lastIndexOf("\n{");
    String last = start >= 0 ? trimmed.substring(start + 1) : trimmed;
    try {
      return JSON.readTree(last);
    } catch (Exception e) {
      throw new AssertionError(
          "claude printed no JSON result (exit "
              + exitCode
              + ")\nstdout:\n"
              + stdout
              + "\nstderr:\n"
              + stderr,
          e);
    }
  }

  public String sessionId() {
    return json().path("session_id").asText();
  }

  /** The tool_use ids of the calls a hook or rule denied ({@code permission_denials}). */
  public List<String> deniedToolUseIds() {
    List<String> ids = new ArrayList<>();
    json().path("permission_denials").forEach(d -> ids.add(d.path("tool_use_id").asText()));
    return ids;
  }

  public String describe() {
    return "exit "
        + exitCode
        + " after "
        + took.toMillis()
        + " ms\nstdout:\n"
        + stdout
        + "\nstderr:\n"
        + stderr;
  }
}
