package dev.claudetelemetry.transcript.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.upload.Identifiers;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decodes OTLP/HTTP log exports (protobuf or the OTLP JSON mapping) into Claude Code events.
 * Records without a {@code session.id} are not Claude Code session events and are counted as
 * rejected.
 */
@Singleton
public class OtlpLogDecoder {
  private static final String PREFIX = "claude_code.";

  private final ObjectMapper mapper;

  public OtlpLogDecoder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public record Decoded(List<ClaudeCodeEvent> events, int rejected) {}

  public ExportLogsServiceRequest parseProtobuf(byte[] body) {
    try {
      return ExportLogsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw ProblemException.badRequest(
          "the body is not an OTLP ExportLogsServiceRequest in protobuf: " + e.getMessage());
    }
  }

  /**
   * OTLP JSON differs from protobuf's canonical JSON in one way that matters: trace and span ids
   * are hex.
   */
  public ExportLogsServiceRequest parseJson(byte[] body) {
    try {
      JsonNode tree = mapper.readTree(body);
      hexIdsToBase64(tree);
      ExportLogsServiceRequest.Builder builder = ExportLogsServiceRequest.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(mapper.writeValueAsString(tree), builder);
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "the body is not an OTLP ExportLogsServiceRequest in JSON: " + e.getMessage());
    }
  }

  public Decoded decode(ExportLogsServiceRequest request) {
    List<ClaudeCodeEvent> events = new ArrayList<>();
    int rejected = 0;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      ObjectNode resource = attributes(resourceLogs.getResource().getAttributesList());
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          ClaudeCodeEvent event = event(resource, record);
          if (event == null) {
            rejected++;
          } else {
            events.add(event);
          }
        }
      }
    }
    return new Decoded(events, rejected);
  }

  private ClaudeCodeEvent event(ObjectNode resource, LogRecord record) {
    ObjectNode attrs = attributes(record.getAttributesList());
    String sessionId = text(attrs, "session.id", text(resource, "session.id", null));
    if (!Identifiers.isValid(sessionId)) {
      return null;
    }
    String name = text(attrs, "event.name", null);
    if (name == null && record.getBody().hasStringValue()) {
      name = record.getBody().getStringValue();
    }
    if (name == null || name.isBlank()) {
      return null;
    }
    name = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
    if (name.length() > 128) {
      name = name.substring(0, 128);
    }
    long nanos =
        record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    Instant at =
        nanos != 0
            ? Instant.ofEpochSecond(0, nanos)
            : parseInstant(text(attrs, "event.timestamp", null));
    String user =
        text(attrs, "user.email", text(resource, "user.email", text(attrs, "user.id", null)));
    return new ClaudeCodeEvent(
        dedupKey(sessionId, record),
        sessionId,
        name,
        at,
        user,
        text(attrs, "prompt.id", null),
        attrs);
  }

  private static Instant parseInstant(String value) {
    try {
      return value == null ? Instant.now() : Instant.parse(value);
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }

  /** The same record re-sent by a collector retry gets the same key. */
  private static String dedupKey(String sessionId, LogRecord record) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(sessionId.getBytes(StandardCharsets.UTF_8));
      sha.update(record.toByteArray());
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private ObjectNode attributes(List<KeyValue> list) {
    ObjectNode node = mapper.createObjectNode();
    for (KeyValue kv : list) {
      node.set(kv.getKey(), value(kv.getValue()));
    }
    return node;
  }

  private JsonNode value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> mapper.getNodeFactory().textNode(value.getStringValue());
      case BOOL_VALUE -> mapper.getNodeFactory().booleanNode(value.getBoolValue());
      case INT_VALUE -> mapper.getNodeFactory().numberNode(value.getIntValue());
      case DOUBLE_VALUE -> mapper.getNodeFactory().numberNode(value.getDoubleValue());
      case BYTES_VALUE ->
          mapper
              .getNodeFactory()
              .textNode(
                  java.util.Base64.getEncoder()
                      .encodeToString(value.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        ArrayNode array = mapper.createArrayNode();
        value.getArrayValue().getValuesList().forEach(v -> array.add(value(v)));
        yield array;
      }
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      default -> mapper.getNodeFactory().nullNode();
    };
  }

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode value = node.get(field);
    return value != null && value.isValueNode() && !value.isNull() ? value.asText() : fallback;
  }

  private static void hexIdsToBase64(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String key = field.getKey();
        if ((key.equals("traceId") || key.equals("spanId")) && field.getValue().isTextual()) {
          String hex = field.getValue().textValue();
          byte[] raw = hex.isEmpty() ? new byte[0] : HexFormat.of().parseHex(hex);
          field.setValue(object.textNode(java.util.Base64.getEncoder().encodeToString(raw)));
        } else {
          hexIdsToBase64(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(OtlpLogDecoder::hexIdsToBase64);
    }
  }
}
