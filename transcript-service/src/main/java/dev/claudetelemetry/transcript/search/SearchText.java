package dev.claudetelemetry.transcript.search;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The words worth searching in a transcript line or hook event: what the user and the model said,
 * tool calls with their inputs, tool results, denial reasons. Bookkeeping lines (api-request blobs,
 * prompt snapshots, system-reminder attachments) repeat the same boilerplate in every session and
 * are left out of the index.
 */
public final class SearchText {
  private SearchText() {}

  public static String ofTranscriptLine(JsonNode line, int maxChars) {
    String type = line.path("type").asText("");
    StringBuilder out = new StringBuilder();
    switch (type) {
      case "user", "assistant" -> content(line.path("message").path("content"), out, maxChars);
      case "system" -> append(out, line.path("content").asText(""), maxChars);
      case "queue-operation" -> append(out, line.path("content").asText(""), maxChars);
      default -> {}
    }
    return out.isEmpty() ? null : out.toString();
  }

  /** A hook event: its tool, tool input, prompt, error and the decision's reason. */
  public static String ofHookEvent(JsonNode event, String reason, int maxChars) {
    StringBuilder out = new StringBuilder();
    append(out, event.path("hook_event_name").asText(""), maxChars);
    append(out, event.path("tool_name").asText(""), maxChars);
    JsonNode input = event.get("tool_input");
    if (input != null) {
      values(input, out, maxChars);
    }
    append(out, event.path("prompt").asText(""), maxChars);
    append(out, event.path("error").asText(""), maxChars);
    append(out, reason == null ? "" : reason, maxChars);
    return out.toString();
  }

  private static void content(JsonNode content, StringBuilder out, int maxChars) {
    if (content.isTextual()) {
      append(out, content.textValue(), maxChars);
      return;
    }
    for (JsonNode block : content) {
      switch (block.path("type").asText("")) {
        case "text" -> append(out, block.path("text").asText(""), maxChars);
        case "thinking" -> append(out, block.path("thinking").asText(""), maxChars);
        case "tool_use" -> {
          append(out, block.path("name").asText(""), maxChars);
          values(block.path("input"), out, maxChars);
        }
        case "tool_result" -> content(block.path("content"), out, maxChars);
        default -> {}
      }
    }
  }

  private static void values(JsonNode node, StringBuilder out, int maxChars) {
    if (node.isTextual()) {
      append(out, node.textValue(), maxChars);
    } else if (node.isContainerNode()) {
      for (JsonNode child : node) {
        values(child, out, maxChars);
      }
    }
  }

  private static void append(StringBuilder out, String text, int maxChars) {
    if (text.isEmpty() || out.length() >= maxChars) {
      return;
    }
    if (!out.isEmpty()) {
      out.append('\n');
    }
    int room = maxChars - out.length();
    out.append(text, 0, Math.min(room, text.length()));
  }
}
