package dev.claudetelemetry.e2e.fakeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One Messages API request as the fake received it, with the scenario it was matched to (null if
 * none).
 */
public record RecordedRequest(String path, String scenario, JsonNode body) {

  /** A {@code tool_result} block Claude Code sent back: what the model saw for one tool call. */
  public record ToolResult(String toolUseId, String content, boolean isError) {}

  /** Every {@code tool_result} in the conversation this request carries, in order. */
  public List<ToolResult> toolResults() {
    List<ToolResult> results = new ArrayList<>();
    for (JsonNode message : body.path("messages")) {
      for (JsonNode block : message.path("content")) {
        if ("tool_result".equals(block.path("type").asText())) {
          results.add(
              new ToolResult(
                  block.path("tool_use_id").asText(),
                  textOf(block.path("content")),
                  block.path("is_error").asBoolean(false)));
        }
      }
    }
    return results;
  }

  /**
   * The number of assistant turns already in the conversation, i.e. the index of the turn to answer
   * with.
   */
  int assistantTurns() {
    int n = 0;
    for (JsonNode message : body.path("messages")) {
      if ("assistant".equals(message.path("role").asText())) {
        n++;
      }
    }
    return n;
  }

  static String textOf(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      if (block.has("text")) {
        text.append(block.path("text").asText());
      }
    }
    return text.toString();
  }
}
