package dev.claudetelemetry.e2e.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chart rendered offline (helm-java, the Helm library), as the API server would hold it: every
 * object as a JSON tree, looked up by kind and name.
 */
final class ChartRender {
  static final String RELEASE = "claude-telemetry";
  static final String NAMESPACE = "claude-telemetry";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private final List<JsonNode> objects;

  private ChartRender(List<JsonNode> objects) {
    this.objects = objects;
  }

  /** {@code helm template} of helm/claude-telemetry with a values file and --set pairs. */
  static ChartRender render(Path valuesFile, Map<String, String> sets) {
    TemplateCommand template =
        new Helm(RepoPaths.root().resolve("helm/claude-telemetry"))
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withValuesFile(valuesFile);
    for (Map.Entry<String, String> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    List<JsonNode> objects = new ArrayList<>();
    for (String chunk : DOCUMENT_SEPARATOR.split(template.call())) {
      try {
        JsonNode tree = YAML.readTree(chunk);
        if (tree != null && tree.has("kind")) {
          objects.add(tree);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("a rendered document is not YAML", e);
      }
    }
    return new ChartRender(List.copyOf(objects));
  }

  List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  JsonNode get(String kind, String name) {
    return ofKind(kind).stream()
        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the render has no " + kind + " " + name));
  }

  /**
   * The decoded entries of a Secret (data is base64, stringData plain), as the kubelet sees them.
   */
  Map<String, byte[]> secret(String name) {
    JsonNode secret = get("Secret", name);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    secret
        .path("data")
        .fields()
        .forEachRemaining(
            e -> entries.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
    secret
        .path("stringData")
        .fields()
        .forEachRemaining(
            e -> entries.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    return entries;
  }

  /** The entries of a ConfigMap (data as UTF-8, binaryData base64). */
  Map<String, byte[]> configMap(String name) {
    JsonNode configMap = get("ConfigMap", name);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    configMap
        .path("data")
        .fields()
        .forEachRemaining(
            e -> entries.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    configMap
        .path("binaryData")
        .fields()
        .forEachRemaining(
            e -> entries.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText())));
    return entries;
  }

  String secretValue(String name, String key) {
    byte[] value = secret(name).get(key);
    if (value == null) {
      throw new IllegalStateException("Secret " + name + " has no key " + key);
    }
    return new String(value, StandardCharsets.UTF_8);
  }
}
