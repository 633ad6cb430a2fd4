package dev.claudetelemetry.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An emulation of what the OpenTelemetry Collector (contrib) shows Prometheus when Claude Code
 * sends it OTLP metrics, because no collector binary can run here. It replays the recorded OTLP
 * export ({@code testdata/claude-code/otel/otlp-metrics.json}, Claude Code 2.1.330) once per scrape
 * and per user, as if each pod sent that delta again, and renders what the chart's collector config
 * produces:
 *
 * <ul>
 *   <li>the {@code transform} processor of grafana-dashboards/README.md: data point attribute
 *       {@code user} from the resource attribute {@code user.id} (the identity drop-in's
 *       OTEL_RESOURCE_ATTRIBUTES); {@code user.id}, {@code user.email}, {@code session.id} removed
 *       from data points, {@code user.email} from the resource;
 *   <li>the {@code prometheus} exporter's naming (add_metric_suffixes on,
 *       resource_to_telemetry_conversion off): dots to underscores, the unit as a suffix ({@code s}
 *       becomes {@code seconds}, {@code USD} and {@code tokens} stay), {@code _total} on monotonic
 *       sums, delta sums accumulated into cumulative counters, {@code otel_scope_name}/{@code
 *       otel_scope_version} labels, {@code job} from {@code service.name}, resource attributes on
 *       {@code target_info}.
 * </ul>
 */
final class CollectorPrometheusExporter implements AutoCloseable {
  private static final Set<String> DROPPED_POINT_ATTRIBUTES =
      Set.of("user.id", "user.email", "session.id");
  private static final Set<String> DROPPED_RESOURCE_ATTRIBUTES = Set.of("user.email");
  private static final Map<String, String> UNITS =
      Map.of("s", "seconds", "ms", "milliseconds", "By", "bytes", "min", "minutes", "h", "hours");

  private record Family(String name, String type, String help) {}

  private final JsonNode recording;
  private final List<String> users;
  private final Map<String, Family> families = new LinkedHashMap<>();
  private final Map<String, Map<String, Double>> samples = new LinkedHashMap<>();
  private final Map<String, String> targetInfo = new TreeMap<>();
  private HttpServer server;

  CollectorPrometheusExporter(Path otlpMetricsJson, List<String> users) {
    try {
      this.recording = Dashboards.JSON.readTree(otlpMetricsJson.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.users = List.copyOf(users);
  }

  /**
   * Serves {@code /metrics} on 127.0.0.1 and a free port; every scrape first receives one more
   * export per user.
   */
  CollectorPrometheusExporter start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body;
          synchronized (this) {
            users.forEach(this::receive);
            body = render().getBytes(StandardCharsets.UTF_8);
          }
          exchange
              .getResponseHeaders()
              .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return this;
  }

  String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * One OTLP export from {@code user}'s pod: the recording, with the identity drop-in's resource
   * attribute.
   */
  synchronized void receive(String user) {
    for (JsonNode resourceMetrics : recording.path("resourceMetrics")) {
      Map<String, String> resource =
          attributes(resourceMetrics.path("resource").path("attributes"));
      resource.put("user.id", user);
      for (JsonNode scopeMetrics : resourceMetrics.path("scopeMetrics")) {
        JsonNode scope = scopeMetrics.path("scope");
        for (JsonNode metric : scopeMetrics.path("metrics")) {
          receiveMetric(metric, scope, resource);
        }
      }
      targetInfo.clear();
      resource.forEach(
          (key, value) -> {
            if (!DROPPED_RESOURCE_ATTRIBUTES.contains(key) && !key.equals("service.name")) {
              targetInfo.put(labelName(key), value);
            }
          });
      targetInfo.put("job", resource.getOrDefault("service.name", "unknown_service"));
    }
  }

  private void receiveMetric(JsonNode metric, JsonNode scope, Map<String, String> resource) {
    JsonNode data;
    String type;
    boolean cumulativeInput;
    if (metric.has("sum")) {
      data = metric.path("sum");
      type = data.path("isMonotonic").asBoolean() ? "counter" : "gauge";
      cumulativeInput = data.path("aggregationTemporality").asInt() == 2;
    } else if (metric.has("gauge")) {
      data = metric.path("gauge");
      type = "gauge";
      cumulativeInput = true;
    } else {
      throw new IllegalStateException(
          "the recording holds a metric type this emulation does not render: " + metric);
    }
    String name = metricName(metric.path("name").asText(), metric.path("unit").asText(), type);
    families.putIfAbsent(name, new Family(name, type, metric.path("description").asText()));
    Map<String, Double> series = samples.computeIfAbsent(name, n -> new LinkedHashMap<>());
    for (JsonNode point : data.path("dataPoints")) {
      Map<String, String> labels = new TreeMap<>();
      attributes(point.path("attributes"))
          .forEach(
              (key, value) -> {
                if (!DROPPED_POINT_ATTRIBUTES.contains(key)) {
                  labels.put(labelName(key), value);
                }
              });
      labels.put("user", resource.get("user.id"));
      labels.put("job", resource.getOrDefault("service.name", "unknown_service"));
      labels.put("otel_scope_name", scope.path("name").asText());
      labels.put("otel_scope_version", scope.path("version").asText());
      double value =
          point.has("asDouble")
              ? point.path("asDouble").asDouble()
              : point.path("asInt").asDouble();
      String key = labelText(labels);
      // Delta points add up (the exporter's accumulator); cumulative points and gauges replace.
      series.merge(key, value, (old, added) -> cumulativeInput ? added : old + added);
    }
  }

  synchronized String render() {
    StringBuilder text = new StringBuilder();
    text.append("# HELP target_info Target metadata\n# TYPE target_info gauge\n");
    text.append("target_info").append(labelText(targetInfo)).append(" 1\n");
    for (Family family : families.values()) {
      text.append("# HELP ")
          .append(family.name())
          .append(' ')
          .append(family.help().replace("\\", "\\\\").replace("\n", "\\n"))
          .append('\n');
      text.append("# TYPE ").append(family.name()).append(' ').append(family.type()).append('\n');
      samples
          .get(family.name())
          .forEach(
              (labels, value) ->
                  text.append(family.name()).append(labels).append(' ').append(value).append('\n'));
    }
    return text.toString();
  }

  /**
   * The exporter's metric naming with suffixes: name tokens, the unit unless already a token, then
   * _total.
   */
  static String metricName(String otelName, String unit, String type) {
    List<String> tokens = new ArrayList<>(Arrays.asList(otelName.split("[^a-zA-Z0-9]+")));
    tokens.removeIf(String::isEmpty);
    String mainUnit = unit.split("/", 2)[0].trim();
    if (!mainUnit.isEmpty() && !mainUnit.contains("{")) {
      String promUnit = UNITS.getOrDefault(mainUnit, mainUnit).replaceAll("[^a-zA-Z0-9]", "");
      if (!promUnit.isEmpty() && !tokens.contains(promUnit)) {
        tokens.add(promUnit);
      }
    }
    if ("counter".equals(type)) {
      tokens.removeIf("total"::equals);
      tokens.add("total");
    }
    return String.join("_", tokens);
  }

  static String labelName(String attribute) {
    String name = attribute.replaceAll("[^a-zA-Z0-9_]", "_");
    return Character.isDigit(name.charAt(0)) ? "key_" + name : name;
  }

  private static Map<String, String> attributes(JsonNode list) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (JsonNode attribute : list) {
      JsonNode value = attribute.path("value");
      String text =
          value.has("stringValue")
              ? value.path("stringValue").asText()
              : value.has("boolValue")
                  ? Boolean.toString(value.path("boolValue").asBoolean())
                  : value.has("intValue")
                      ? value.path("intValue").asText()
                      : value.has("doubleValue")
                          ? value.path("doubleValue").asText()
                          : value.toString();
      attributes.put(attribute.path("key").asText(), text);
    }
    return attributes;
  }

  private static String labelText(Map<String, String> labels) {
    StringBuilder text = new StringBuilder("{");
    labels.forEach(
        (name, value) -> {
          if (text.length() > 1) {
            text.append(',');
          }
          text.append(name)
              .append("=\"")
              .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
              .append('"');
        });
    return text.append('}').toString();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
