package dev.claudetelemetry.e2e.fakeapi;

import java.util.List;
import java.util.Map;

/**
 * One scripted assistant reply: either tool calls (the model asks Claude Code to run tools, and
 * Claude Code comes back with their results) or a final text that ends the conversation.
 */
public record Turn(List<ToolCall> toolCalls, String text) {

  /** One {@code tool_use} block: the tool's name and its input object. */
  public record ToolCall(String tool, Map<String, Object> input) {}

  public Turn {
    toolCalls = List.copyOf(toolCalls);
  }

  /**
   * A turn with one or more tool calls; Claude Code runs them and sends the results in the next
   * request.
   */
  public static Turn tools(ToolCall... calls) {
    return new Turn(List.of(calls), null);
  }

  public static Turn bash(String command) {
    return tools(
        new ToolCall(
            "Bash", Map.of("command", command, "description", "scripted by the e2e test")));
  }

  public static Turn read(String filePath) {
    return tools(new ToolCall("Read", Map.of("file_path", filePath)));
  }

  public static Turn write(String filePath, String content) {
    return tools(new ToolCall("Write", Map.of("file_path", filePath, "content", content)));
  }

  public static Turn edit(String filePath, String oldString, String newString) {
    return tools(
        new ToolCall(
            "Edit",
            Map.of("file_path", filePath, "old_string", oldString, "new_string", newString)));
  }

  /** The final answer: {@code stop_reason: end_turn}. */
  public static Turn finalText(String text) {
    return new Turn(List.of(), text);
  }

  boolean isFinal() {
    return toolCalls.isEmpty();
  }
}
