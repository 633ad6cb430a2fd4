package dev.claudetelemetry.deploy.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The component types of one OpenTelemetry Collector distribution, read from its builder manifest
 * (vendored: resources/schemas/otelcol-contrib-0.159.0), and a check of a collector config against
 * them.
 */
final class CollectorComponents {

  static final String CONTRIB = "schemas/otelcol-contrib-0.159.0/";
  static final List<String> KINDS =
      List.of("receivers", "processors", "exporters", "extensions", "connectors");

  /**
   * A component's type is its Go module's last path element minus the kind suffix (otlpreceiver ->
   * otlp), except where the component's metadata.yaml says otherwise; these are the ones our
   * configs or the distribution's default config use, each as spelled in that component's
   * metadata.yaml.
   */
  private static final Map<String, String> TYPE_EXCEPTIONS =
      Map.of(
          "healthcheckextension", "health_check",
          "memorylimiterprocessor", "memory_limiter",
          "filestorage", "file_storage");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<String, Set<String>> typesByKind;
  private final String version;

  private CollectorComponents(Map<String, Set<String>> typesByKind, String version) {
    this.typesByKind = typesByKind;
    this.version = version;
  }

  static CollectorComponents contrib() {
    JsonNode manifest = readResource(CONTRIB + "manifest.yaml");
    Map<String, Set<String>> types = new TreeMap<>();
    for (String kind : KINDS) {
      Set<String> names = new TreeSet<>();
      for (JsonNode component : manifest.path(kind)) {
        String module = component.path("gomod").asText().split(" ")[0];
        String last = module.substring(module.lastIndexOf('/') + 1);
        String suffix = kind.substring(0, kind.length() - 1);
        names.add(
            TYPE_EXCEPTIONS.getOrDefault(
                last,
                last.endsWith(suffix) ? last.substring(0, last.length() - suffix.length()) : last));
      }
      types.put(kind, names);
    }
    return new CollectorComponents(types, manifest.path("dist").path("version").asText());
  }

  String version() {
    return version;
  }

  Set<String> types(String kind) {
    return typesByKind.get(kind);
  }

  /**
   * Problems of a collector config: unknown component types, and pipelines naming undeclared
   * components.
   */
  List<String> check(JsonNode config) {
    List<String> problems = new ArrayList<>();
    for (String kind : KINDS) {
      for (Iterator<String> ids = config.path(kind).fieldNames(); ids.hasNext(); ) {
        String id = ids.next();
        String type = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
        if (!typesByKind.get(kind).contains(type)) {
          problems.add(
              kind
                  + "."
                  + id
                  + ": no "
                  + kind.substring(0, kind.length() - 1)
                  + " of type '"
                  + type
                  + "' in otelcol-contrib "
                  + version);
        }
      }
    }
    JsonNode service = config.path("service");
    Set<String> running = new TreeSet<>();
    for (JsonNode extension : service.path("extensions")) {
      running.add(extension.asText());
      if (!config.path("extensions").has(extension.asText())) {
        problems.add("service.extensions names undeclared extension " + extension.asText());
      }
    }
    // A persistent sending queue needs its storage extension declared and started, or the collector
    // refuses to start ("storage extension not found").
    for (Iterator<Map.Entry<String, JsonNode>> exporters = config.path("exporters").fields();
        exporters.hasNext(); ) {
      Map.Entry<String, JsonNode> exporter = exporters.next();
      JsonNode storage = exporter.getValue().path("sending_queue").path("storage");
      if (storage.isMissingNode() || storage.isNull()) {
        continue;
      }
      String where = "exporters." + exporter.getKey() + ".sending_queue.storage";
      if (!config.path("extensions").has(storage.asText())) {
        problems.add(where + " names undeclared extension " + storage.asText());
      } else if (!running.contains(storage.asText())) {
        problems.add(where + " names " + storage.asText() + ", not in service.extensions");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> pipelines = service.path("pipelines").fields();
        pipelines.hasNext(); ) {
      Map.Entry<String, JsonNode> pipeline = pipelines.next();
      for (String kind : List.of("receivers", "processors", "exporters")) {
        for (JsonNode id : pipeline.getValue().path(kind)) {
          if (!config.path(kind).has(id.asText()) && !config.path("connectors").has(id.asText())) {
            problems.add(
                "pipeline " + pipeline.getKey() + " names undeclared " + kind + " " + id.asText());
          }
        }
      }
      if (pipeline.getValue().path("receivers").isEmpty()
          || pipeline.getValue().path("exporters").isEmpty()) {
        problems.add(
            "pipeline " + pipeline.getKey() + " needs at least one receiver and one exporter");
      }
    }
    return problems;
  }

  static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new AssertionError("collector config is not YAML: " + e.getMessage(), e);
    }
  }

  static JsonNode readResource(String resource) {
    try (InputStream in =
        CollectorComponents.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
