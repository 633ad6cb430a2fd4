package dev.claudetelemetry.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a rendered release the live check runs outside Kubernetes: hook-ingest's user→team
 * file and the PrometheusRule's budget group, exactly as the chart renders them for a values file.
 */
final class RenderedRelease {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final JsonNode userTeamsConfigMap;
  private final JsonNode budgetsGroup;

  private RenderedRelease(JsonNode userTeamsConfigMap, JsonNode budgetsGroup) {
    this.userTeamsConfigMap = userTeamsConfigMap;
    this.budgetsGroup = budgetsGroup;
  }

  /** Renders the chart with a values file (a path relative to the repository root). */
  static RenderedRelease render(String valuesFile) {
    String text =
        new Helm(RepoPaths.root().resolve("helm/claude-telemetry"))
            .template()
            .withName("claude-telemetry")
            .withNamespace("claude-telemetry")
            .withValuesFile(RepoPaths.root().resolve(valuesFile))
            .call();
    JsonNode configMap = null;
    JsonNode budgets = null;
    try {
      for (JsonNode document : YAML.readValues(YAML.createParser(text), JsonNode.class).readAll()) {
        if (document == null) {
          continue;
        }
        String kind = document.path("kind").asText();
        String name = document.path("metadata").path("name").asText();
        if (kind.equals("ConfigMap") && name.equals("hook-ingest-user-teams")) {
          configMap = document;
        }
        if (kind.equals("PrometheusRule")) {
          for (JsonNode group : document.path("spec").path("groups")) {
            if (group.path("name").asText().equals("claude-telemetry.budgets")) {
              budgets = group;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (configMap == null || budgets == null) {
      throw new AssertionError(
          valuesFile + " renders no hook-ingest-user-teams ConfigMap or no budget rules");
    }
    return new RenderedRelease(configMap, budgets);
  }

  /** The content of the key HOOK_INGEST_USER_TEAMS points at. */
  String userTeamsFile() {
    return userTeamsConfigMap.path("data").path("user-teams.json").asText();
  }

  /** User to team, as that file says. */
  @SuppressWarnings("unchecked")
  Map<String, String> teams() {
    try {
      return new LinkedHashMap<>(new ObjectMapper().readValue(userTeamsFile(), Map.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A rules file with the budget group alone. */
  String budgetRules() {
    ObjectNode file = JsonNodeFactory.instance.objectNode();
    file.putArray("groups").add(budgetsGroup);
    try {
      return new YAMLMapper().writeValueAsString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The record name of every rule of the budget group, once per rule. */
  List<String> budgetRecords() {
    List<String> records = new ArrayList<>();
    budgetsGroup.path("rules").forEach(rule -> records.add(rule.path("record").asText()));
    return records;
  }
}
