package dev.claudetelemetry.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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
 *   <li>the chart's label rule (templates/otel-collector/configmap.yaml): only {@code
 *       claude_code.*} metrics of Claude Code's scope pass; data point attributes {@code user} and
 *       {@code team} are the sending pod's {@code claude-telemetry.dev/user} and {@code
 *       claude-telemetry.dev/team} labels (the {@code k8sattributes} lookup by connection IP; here:
 *       the user whose pod {@link #receive(String, Map, Map)} is told the export came from, and
 *       that user's team, {@code none} without one), whatever the sender claims; data point and
 *       resource attributes outside the chart's allowlists ({@code
 *       otelCollector.metrics.keepAttributes}, {@code keepResourceAttributes}, read from
 *       values.yaml) removed; {@code service.name} fixed to {@code claude-code}, the scope version
 *       emptied;
 *   <li>the {@code prometheus} exporter's naming (add_metric_suffixes on,
 *       resource_to_telemetry_conversion off): dots to underscores, the unit as a suffix ({@code s}
 *       becomes {@code seconds}, {@code USD} and {@code tokens} stay), {@code _total} on monotonic
 *       sums, delta sums accumulated into cumulative counters, the {@code otel_scope_name} label
 *       (an empty scope version gives no label), {@code job} from {@code service.name}, resource
 *       attributes on {@code target_info}.
 * </ul>
 */
final class CollectorPrometheusExporter implements AutoCloseable {
  private static final String CLAUDE_CODE_SCOPE = "com.anthropic.claude_code";
  private static final Set<String> KEPT_POINT_ATTRIBUTES = chartAllowlist("keepAttributes");
  private static final Set<String> KEPT_RESOURCE_ATTRIBUTES =
      chartAllowlist("keepResourceAttributes");
  private static final Map<String, String> UNITS =
      Map.of("s", "seconds", "ms", "milliseconds", "By", "bytes", "min", "minutes", "h", "hours");

  private record Family(String name, String type, String help) {}

  private final JsonNode recording;
  private final List<String> users;
  private final Map<String, String> teams;
  private final Map<String, Family> families = new LinkedHashMap<>();
  private final Map<String, Map<String, Double>> samples = new LinkedHashMap<>();
  private final Map<String, String> targetInfo = new TreeMap<>();
  private HttpServer server;

  /** Pods of {@code users}, none of them in a team. */
  CollectorPrometheusExporter(Path otlpMetricsJson, List<String> users) {
    this(otlpMetricsJson, users, Map.of());
  }

  /** Pods of {@code users}; {@code teams} is each pod's team label, by user. */
  CollectorPrometheusExporter(Path otlpMetricsJson, List<String> users, Map<String, String> teams) {
    try {
      this.recording = Dashboards.JSON.readTree(otlpMetricsJson.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.users = List.copyOf(users);
    this.teams = Map.copyOf(teams);
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
    receive(user, Map.of("user.id", user), Map.of());
  }

  /**
   * One OTLP export over a connection from {@code podUser}'s pod, whose sender added {@code
   * claimedResource} to the resource and {@code claimedPoint} to every data point (an agent can
   * post its own OTLP with anything in it).
   */
  synchronized void receive(
      String podUser, Map<String, String> claimedResource, Map<String, String> claimedPoint) {
    for (JsonNode resourceMetrics : recording.path("resourceMetrics")) {
      Map<String, String> resource =
          attributes(resourceMetrics.path("resource").path("attributes"));
      resource.putAll(claimedResource);
      resource.keySet().retainAll(KEPT_RESOURCE_ATTRIBUTES);
      resource.put("service.name", "claude-code");
      for (JsonNode scopeMetrics : resourceMetrics.path("scopeMetrics")) {
        JsonNode scope = scopeMetrics.path("scope");
        if (!CLAUDE_CODE_SCOPE.equals(scope.path("name").asText())) {
          continue;
        }
        for (JsonNode metric : scopeMetrics.path("metrics")) {
          if (metric.path("name").asText().startsWith("claude_code.")) {
            receiveMetric(metric, scope, podUser, claimedPoint);
          }
        }
      }
      targetInfo.clear();
      resource.forEach(
          (key, value) -> {
            if (!key.equals("service.name")) {
              targetInfo.put(labelName(key), value);
            }
          });
      targetInfo.put("job", resource.get("service.name"));
    }
  }

  private void receiveMetric(
      JsonNode metric, JsonNode scope, String podUser, Map<String, String> claimedPoint) {
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
      Map<String, String> attributes = attributes(point.path("attributes"));
      attributes.putAll(claimedPoint);
      Map<String, String> labels = new TreeMap<>();
      attributes.forEach(
          (key, value) -> {
            if (KEPT_POINT_ATTRIBUTES.contains(key)) {
              labels.put(labelName(key), value);
            }
          });
      labels.put("user", podUser);
      labels.put("team", teams.getOrDefault(podUser, "none"));
      labels.put("job", "claude-code");
      labels.put("otel_scope_name", scope.path("name").asText());
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

  /** One of the chart's collector allowlists, from values.yaml (otelCollector.metrics.NAME). */
  private static Set<String> chartAllowlist(String name) {
    try {
      JsonNode values =
          new ObjectMapper(new YAMLFactory())
              .readTree(RepoPaths.root().resolve("helm/claude-telemetry/values.yaml").toFile());
      Set<String> allowlist = new HashSet<>();
      values
          .path("otelCollector")
          .path("metrics")
          .path(name)
          .forEach(v -> allowlist.add(v.asText()));
      if (allowlist.isEmpty()) {
        throw new IllegalStateException("values.yaml has no otelCollector.metrics." + name);
      }
      return Set.copyOf(allowlist);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
