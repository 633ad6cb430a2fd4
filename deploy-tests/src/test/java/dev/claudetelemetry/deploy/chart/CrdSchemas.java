package dev.claudetelemetry.deploy.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator CRDs' own OpenAPI schemas (vendored, see resources/schemas/README.md) as
 * JSON Schema validators. Structural CRD schemas let the API server prune unknown fields; strict
 * field validation refuses them instead, so every object schema that lists its properties gets
 * {@code additionalProperties: false} here unless it says {@code
 * x-kubernetes-preserve-unknown-fields}.
 */
final class CrdSchemas {

  static final String PROMETHEUS_OPERATOR = "schemas/prometheus-operator-v0.93.0/";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final tools.jackson.databind.ObjectMapper JSON3 =
      new tools.jackson.databind.ObjectMapper();

  private final Map<String, Schema> byKind;

  private CrdSchemas(Map<String, Schema> byKind) {
    this.byKind = byKind;
  }

  static CrdSchemas prometheusOperator() {
    return new CrdSchemas(
        Map.of(
            "ServiceMonitor",
                load(PROMETHEUS_OPERATOR + "monitoring.coreos.com_servicemonitors.yaml"),
            "PrometheusRule",
                load(PROMETHEUS_OPERATOR + "monitoring.coreos.com_prometheusrules.yaml")));
  }

  boolean covers(String kind) {
    return byKind.containsKey(kind);
  }

  /** Validation messages for one rendered object (as its raw tree); empty when it is valid. */
  List<String> validate(String kind, Map<String, Object> tree) {
    try {
      tools.jackson.databind.JsonNode instance = JSON3.readTree(JSON.writeValueAsString(tree));
      return byKind.get(kind).validate(instance).stream()
          .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Schema load(String resource) {
    try (InputStream in = CrdSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      JsonNode crd = YAML.readTree(in);
      JsonNode schema = null;
      for (JsonNode version : crd.path("spec").path("versions")) {
        if (version.path("name").asText().equals("v1")) {
          schema = version.path("schema").path("openAPIV3Schema").deepCopy();
        }
      }
      if (schema == null) {
        throw new IllegalStateException(resource + " has no v1 openAPIV3Schema");
      }
      forbidUnknownFields(schema);
      ((ObjectNode) schema).put("$schema", "http://json-schema.org/draft-07/schema#");
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(JSON.writeValueAsString(schema), InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void forbidUnknownFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties")
          && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.put("additionalProperties", false);
      }
      object.forEach(CrdSchemas::forbidUnknownFields);
    } else if (node.isArray()) {
      node.forEach(CrdSchemas::forbidUnknownFields);
    }
  }
}
