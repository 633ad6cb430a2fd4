package dev.claudetelemetry.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The plain Prometheus rule file the chart wraps into a PrometheusRule, read as data. */
final class AlertRules {
  record Rule(
      String group,
      String name,
      boolean alert,
      String expr,
      JsonNode labels,
      JsonNode annotations) {
    @Override
    public String toString() {
      return group + "/" + name;
    }
  }

  private AlertRules() {}

  static Path directory() {
    return RepoPaths.root().resolve("helm/claude-telemetry/files/rules");
  }

  static Path file() {
    return directory().resolve("claude-telemetry.rules.yaml");
  }

  static List<Rule> all() {
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file().toFile());
      List<Rule> rules = new ArrayList<>();
      for (JsonNode group : root.path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          boolean alert = rule.has("alert");
          rules.add(
              new Rule(
                  group.path("name").asText(),
                  rule.path(alert ? "alert" : "record").asText(),
                  alert,
                  rule.path("expr").asText(),
                  rule.path("labels"),
                  rule.path("annotations")));
        }
      }
      return rules;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Rule> alerts() {
    return all().stream().filter(Rule::alert).toList();
  }
}
