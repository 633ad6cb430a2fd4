package dev.claudetelemetry.ingest.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.problem.RejectedException;
import dev.claudetelemetry.ingest.problem.Rejection;
import java.io.IOException;

/**
 * Reads an untrusted hook body. Anything that is not a JSON object with a string {@code
 * hook_event_name} and {@code session_id} is refused with the field at fault; the fields the
 * metrics use must have the type Claude Code sends. Unknown events and fields are accepted.
 */
public final class HookInputParser {

  private final ObjectMapper mapper;

  public HookInputParser(int maxDepth) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  public HookInput parse(byte[] body) {
    JsonNode root = readTree(body);
    if (!(root instanceof ObjectNode object)) {
      throw invalid(
          "the body must be a JSON object (Claude Code's hook input), not " + describe(root));
    }
    return new HookInput(
        requiredString(object, "hook_event_name"),
        requiredString(object, "session_id"),
        optionalString(object, "tool_name"),
        optionalString(object, "tool_use_id"),
        optionalString(object, "agent_id"),
        optionalDurationMs(object),
        optionalBoolean(object, "is_interrupt"),
        optionalString(object, "source"),
        optionalString(object, "reason"),
        clientDecision(object),
        object);
  }

  /**
   * Serialises an accepted input again for forwarding: always valid JSON, whatever bytes came in.
   */
  public String write(ObjectNode json) {
    try {
      return mapper.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private JsonNode readTree(byte[] body) {
    if (body == null || body.length == 0) {
      throw new RejectedException(
          Rejection.NOT_JSON, "the body is empty; send the hook input JSON");
    }
    try {
      return mapper.readTree(body);
    } catch (StreamConstraintsException e) {
      throw new RejectedException(Rejection.TOO_DEEP, e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new RejectedException(
          Rejection.NOT_JSON,
          "the body is not valid JSON: " + e.getOriginalMessage() + " at " + location(e));
    } catch (IOException e) {
      throw new RejectedException(Rejection.NOT_JSON, "the body could not be read as JSON");
    }
  }

  private static String requiredString(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw invalid("required field '" + field + "' is missing");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw invalid("field '" + field + "' must be a non-empty string, not " + describe(value));
    }
    return value.asText();
  }

  private static String optionalString(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("field '" + field + "' must be a string, not " + describe(value));
    }
    return value.asText();
  }

  private static String clientDecision(ObjectNode object) {
    String decision = optionalString(object, HookInput.CLIENT_DECISION);
    if (decision != null && !decision.equals("deny") && !decision.equals("none")) {
      throw invalid("field '" + HookInput.CLIENT_DECISION + "' must be \"deny\" or \"none\"");
    }
    return decision;
  }

  private static Boolean optionalBoolean(ObjectNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      throw invalid("field '" + field + "' must be a boolean, not " + describe(value));
    }
    return value.booleanValue();
  }

  private static Long optionalDurationMs(ObjectNode object) {
    JsonNode value = object.get("duration_ms");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
      throw invalid("field 'duration_ms' must be a non-negative number, not " + describe(value));
    }
    return Math.round(value.asDouble());
  }

  private static RejectedException invalid(String detail) {
    return new RejectedException(Rejection.INVALID, detail);
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> node.asText().isEmpty() ? "an empty string" : "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String location(JsonProcessingException e) {
    var where = e.getLocation();
    return where == null
        ? "an unknown position"
        : "line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
