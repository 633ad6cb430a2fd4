package dev.claudetelemetry.policy.decisions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import java.io.IOException;
import java.util.Set;

/**
 * Reads hook inputs from untrusted bytes: strict UTF-8 JSON, bounded nesting and string length, and
 * every field the policy uses checked for type. Unknown fields are tolerated, as Claude Code adds
 * them between versions.
 */
public final class HookInputReader {

  static final Set<String> DECIDED_EVENTS = Set.of("PreToolUse", "PermissionRequest");
  private static final int MAX_STRING_CHARS = 1_000_000;

  private final ObjectMapper json;

  public HookInputReader(int maxDepth) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth)
                    .maxStringLength(MAX_STRING_CHARS)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.json = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  public JsonNode readTree(byte[] body) {
    if (body == null || body.length == 0) {
      throw notJson("the request body is empty; send one hook input as JSON");
    }
    try (JsonParser parser = json.createParser(body)) {
      JsonNode node = json.readTree(parser);
      if (node == null) {
        throw notJson("the request body is empty; send one hook input as JSON");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw badInput("the JSON exceeds a limit: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw notJson("the body is not valid UTF-8 JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw notJson("the body could not be read: " + e.getMessage());
    }
  }

  /**
   * @throws ProblemException naming the field when the input is not a hook input the policy can
   *     judge
   */
  public ToolCall toolCall(JsonNode node) {
    if (!node.isObject()) {
      throw badInput("a hook input is a JSON object, not " + kind(node));
    }
    String event = optionalText(node, "hook_event_name", "PreToolUse");
    if (!DECIDED_EVENTS.contains(event)) {
      throw badInput(
          "hook_event_name '"
              + clip(event)
              + "' is not decided here; send PreToolUse or PermissionRequest");
    }
    String tool = requiredText(node, "tool_name");
    JsonNode input = node.get("tool_input");
    if (input == null || input.isNull()) {
      throw badInput("tool_input is missing; it must be an object");
    }
    if (!input.isObject()) {
      throw badInput("tool_input must be an object, not " + kind(input));
    }
    if (tool.equals("Bash")) {
      JsonNode command = input.get("command");
      if (command == null || !command.isTextual()) {
        throw badInput("tool_input.command must be a string for the Bash tool");
      }
    }
    String cwd = optionalText(node, "cwd", "");
    if (!cwd.isEmpty() && !cwd.startsWith("/")) {
      throw badInput("cwd must be an absolute path");
    }
    return new ToolCall(
        event,
        tool,
        input,
        cwd,
        optionalText(node, "transcript_path", ""),
        optionalText(node, "permission_mode", ""));
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw badInput(field + " is missing; it must be a string");
    }
    if (!value.isTextual()) {
      throw badInput(field + " must be a string, not " + kind(value));
    }
    if (value.asText().isEmpty()) {
      throw badInput(field + " must not be empty");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field, String fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw badInput(field + " must be a string, not " + kind(value));
    }
    return value.asText();
  }

  private static String kind(JsonNode node) {
    return node.isTextual()
        ? "a string"
        : node.isNumber()
            ? "a number"
            : node.isArray()
                ? "an array"
                : node.isBoolean() ? "a boolean" : node.isObject() ? "an object" : "null";
  }

  private static String clip(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }

  /** A body that is not a hook input; in a batch, one entry of its {@code errors}. */
  static ProblemException badInput(String detail) {
    return new ProblemException(ProblemType.INVALID_HOOK_INPUT, detail);
  }

  private static ProblemException notJson(String detail) {
    return new ProblemException(ProblemType.NOT_JSON, detail);
  }
}
