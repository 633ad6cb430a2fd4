package dev.claudetelemetry.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.ingest.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelsTests {

  @Test
  void shouldKnowEveryEventAndToolClaudeCodeWasRecordedSending() {
    for (var file : Fixtures.all()) {
      var input = Fixtures.hookInput(file);
      String event = input.get("hook_event_name").asText();
      assertThat(Labels.event(event)).as(file.toString()).isEqualTo(event);
      if (input.has("tool_name")) {
        String tool = input.get("tool_name").asText();
        assertThat(Labels.tool(tool)).as(file.toString()).isEqualTo(tool);
      }
    }
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "NULL",
      value = {
        "Bash, Bash",
        "mcp__github__create_issue, mcp",
        "MyCustomTool, other",
        "bash, other",
        "NULL, none"
      })
  void shouldBoundToolNames(String tool, String label) {
    assertThat(Labels.tool(tool)).isEqualTo(label);
  }

  @Test
  void shouldBoundEventsSourcesAndReasons() {
    assertThat(Labels.event("SessionStart")).isEqualTo("SessionStart");
    assertThat(Labels.event("session-1234")).isEqualTo("other");
    assertThat(Labels.sessionStartSource("resume")).isEqualTo("resume");
    assertThat(Labels.sessionStartSource("../../etc")).isEqualTo("other");
    assertThat(Labels.sessionStartSource(null)).isEqualTo("other");
    assertThat(Labels.sessionEndReason("logout")).isEqualTo("logout");
    assertThat(Labels.sessionEndReason("x".repeat(500))).isEqualTo("other");
  }
}
