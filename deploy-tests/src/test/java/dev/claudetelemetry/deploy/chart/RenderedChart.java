package dev.claudetelemetry.deploy.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The chart rendered offline by helm-java (the same Helm library CI uses), split into documents,
 * each kept both as the raw YAML tree and as the fabric8 model object it deserialises to.
 */
record RenderedChart(String text, List<Document> documents) {

  static final String RELEASE = "claude-telemetry";
  static final String NAMESPACE = "claude-telemetry";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  /** One rendered object: its template, its raw tree and its typed model. */
  record Document(String source, Map<String, Object> tree, HasMetadata object) {
    String kind() {
      return object.getKind();
    }

    String name() {
      return object.getMetadata().getName();
    }
  }

  static RenderedChart render(String... valuesFiles) {
    return renderIn(NAMESPACE, Map.of(), valuesFiles);
  }

  static RenderedChart render(Map<String, Object> sets, String... valuesFiles) {
    return renderIn(NAMESPACE, sets, valuesFiles);
  }

  /**
   * Renders with values files (paths relative to the repository root or absolute) and --set pairs.
   */
  static RenderedChart renderIn(String namespace, Map<String, Object> sets, String... valuesFiles) {
    // Rendering is deterministic apart from generated tokens, and the same scenarios recur across
    // test classes.
    String key =
        namespace + "|" + new java.util.TreeMap<>(sets) + "|" + String.join(",", valuesFiles);
    return CACHE.computeIfAbsent(key, k -> renderUncached(namespace, sets, valuesFiles));
  }

  private static final Map<String, RenderedChart> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static RenderedChart renderUncached(
      String namespace, Map<String, Object> sets, String... valuesFiles) {
    TemplateCommand template =
        new Helm(RepoFiles.chart()).template().withName(RELEASE).withNamespace(namespace);
    for (String file : valuesFiles) {
      Path path = Path.of(file).isAbsolute() ? Path.of(file) : RepoFiles.resolve(file);
      template = template.withValuesFile(path);
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    return parse(template.call());
  }

  @SuppressWarnings("unchecked")
  static RenderedChart parse(String text) {
    List<Document> documents = new ArrayList<>();
    for (String chunk : DOCUMENT_SEPARATOR.split(text)) {
      String source =
          chunk
              .lines()
              .filter(l -> l.startsWith("# Source: "))
              .findFirst()
              .map(l -> l.substring("# Source: ".length()))
              .orElse("?");
      if (chunk.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      Map<String, Object> tree;
      try {
        tree = YAML.readValue(chunk, LinkedHashMap.class);
      } catch (Exception e) {
        throw new AssertionError(
            "rendered document from " + source + " is not YAML: " + e.getMessage(), e);
      }
      if (tree == null || tree.isEmpty()) {
        continue;
      }
      HasMetadata object;
      try {
        object = KUBERNETES.unmarshal(chunk, HasMetadata.class);
      } catch (RuntimeException e) {
        throw new AssertionError(
            "rendered document from "
                + source
                + " does not match the Kubernetes model: "
                + e.getMessage(),
            e);
      }
      documents.add(new Document(source, tree, object));
    }
    return new RenderedChart(text, List.copyOf(documents));
  }

  List<Document> ofKind(String kind) {
    return documents.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  <T extends HasMetadata> List<T> objects(Class<T> type) {
    return documents.stream()
        .map(Document::object)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  <T extends HasMetadata> T object(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + type.getSimpleName() + " named " + name + " in " + names()));
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return objects(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  Document document(String kind, String name) {
    return documents.stream()
        .filter(d -> d.kind().equals(kind) && d.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + names()));
  }

  List<String> names() {
    return documents.stream().map(d -> d.kind() + "/" + d.name()).toList();
  }

  /** Every pod template: Deployments and StatefulSets, keyed by "Kind/name". */
  Map<String, PodSpec> podSpecs() {
    Map<String, PodSpec> specs = new LinkedHashMap<>();
    objects(Deployment.class)
        .forEach(
            d ->
                specs.put(
                    "Deployment/" + d.getMetadata().getName(),
                    d.getSpec().getTemplate().getSpec()));
    objects(StatefulSet.class)
        .forEach(
            s ->
                specs.put(
                    "StatefulSet/" + s.getMetadata().getName(),
                    s.getSpec().getTemplate().getSpec()));
    return specs;
  }
}
