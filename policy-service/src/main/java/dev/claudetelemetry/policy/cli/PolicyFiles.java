package dev.claudetelemetry.policy.cli;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.policy.reload.PolicyReloader;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The policy a {@code check} command judges with: a bare policy file, or a ConfigMap file that
 * carries it ({@code k8s/policy-configmap.yaml}, {@code kubectl get configmap -o yaml}, a {@code
 * kubectl create configmap --dry-run -o yaml} the operator is about to apply), so what is tested is
 * exactly what would be applied. Without a file, the policy packaged in the jar.
 */
final class PolicyFiles {

  /** The ConfigMap key the chart mounts as the policy file. */
  static final String CONFIGMAP_KEY = "policy.yaml";

  /** A ConfigMap holds at most 1 MiB; this leaves room for a list of a few objects. */
  static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(64)
                      .maxStringLength(MAX_FILE_BYTES)
                      .build())
              .build());

  private PolicyFiles() {}

  static Policy load(String file, PolicyLoader loader) throws IOException, PolicyRefusedException {
    if (file == null) {
      try (InputStream in =
          PolicyReloader.class
              .getClassLoader()
              .getResourceAsStream(PolicyReloader.DEFAULT_RESOURCE)) {
        if (in == null) {
          throw new IOException("the jar holds no " + PolicyReloader.DEFAULT_RESOURCE);
        }
        return loader.load(in.readAllBytes(), PolicyReloader.DEFAULT_ORIGIN);
      }
    }
    Path path = Path.of(file);
    if (Files.size(path) > MAX_FILE_BYTES) {
      throw new PolicyRefusedException(
          List.of(file + " is larger than " + MAX_FILE_BYTES + " bytes: not a policy file"));
    }
    return loader.load(policyBytes(Files.readAllBytes(path)), file);
  }

  /**
   * The policy inside a ConfigMap document of {@code bytes} (its {@code data."policy.yaml"}, or its
   * only key), else {@code bytes} unchanged for the policy loader to judge.
   */
  static byte[] policyBytes(byte[] bytes) throws PolicyRefusedException {
    List<JsonNode> configMaps = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(bytes)) {
      while (documents.hasNext()) {
        collectConfigMaps(documents.next(), configMaps);
      }
    } catch (IOException | RuntimeException e) {
      // Not YAML the way a ConfigMap would be: the loader says what is wrong with it as a policy.
      return bytes;
    }
    if (configMaps.isEmpty()) {
      return bytes;
    }
    List<String> found = new ArrayList<>();
    for (JsonNode configMap : configMaps) {
      JsonNode data = configMap.path("data");
      JsonNode policy = data.get(CONFIGMAP_KEY);
      if (policy == null && data.size() == 1) {
        policy = data.elements().next();
      }
      if (policy != null && policy.isTextual()) {
        found.add(policy.textValue());
      }
    }
    if (found.size() != 1) {
      throw new PolicyRefusedException(
          List.of(
              found.isEmpty()
                  ? "the file is a ConfigMap without a data key '" + CONFIGMAP_KEY + "'"
                  : "the file holds " + found.size() + " ConfigMaps with a policy: give one"));
    }
    return found.get(0).getBytes(StandardCharsets.UTF_8);
  }

  /** A ConfigMap document, or the items of a {@code kind: List} of objects. */
  private static void collectConfigMaps(JsonNode document, List<JsonNode> into) {
    if (document == null || !document.isObject()) {
      return;
    }
    String kind = document.path("kind").asText();
    if (kind.equals("ConfigMap") && document.path("data").isObject()) {
      into.add(document);
    } else if (kind.equals("List")) {
      Iterator<JsonNode> items = document.path("items").elements();
      while (items.hasNext()) {
        JsonNode item = items.next();
        if (item.path("kind").asText().equals("ConfigMap") && item.path("data").isObject()) {
          into.add(item);
        }
      }
    }
  }
}
