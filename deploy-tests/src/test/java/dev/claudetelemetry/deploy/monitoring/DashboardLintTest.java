package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.deploy.monitoring.Dashboards.Dashboard;
import dev.claudetelemetry.deploy.monitoring.Dashboards.Query;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The dashboard checklist (grafana/dashboard-linter's rules, plus ours), applied to every file in
 * {@code grafana-dashboards/}. Whether the queries run and return data is {@link
 * LiveMonitoringTest}'s job.
 */
class DashboardLintTest {
  private static final Pattern RATE_WINDOW =
      Pattern.compile("\\b(rate|irate)\\s*\\(([^\\[]*)\\[([^\\]]*)\\]");
  private static final Pattern INCREASE_WINDOW =
      Pattern.compile("\\bincrease\\s*\\(([^\\[]*)\\[([^\\]]*)\\]");
  private static final Pattern COUNTER =
      Pattern.compile("\\b[a-zA-Z_][a-zA-Z0-9_]*_(total|count|sum|bucket)\\b");
  private static final Pattern VARIABLE_USE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)");
  private static final Set<String> GRAFANA_VARIABLES =
      Set.of(
          "__rate_interval", "__interval", "__range", "__timeFilter", "__data", "__from", "__to");

  @Test
  void shouldFindTheDashboardsTheChartShips() {
    assertThat(Dashboards.all())
        .extracting(Dashboard::uid)
        .contains(
            "claude-code-usage", "claude-code-tools-and-guard", "claude-telemetry-ingest-health");
  }

  @TestFactory
  Stream<DynamicTest> everyDashboardShouldPassTheChecklist() {
    return Dashboards.all().stream()
        .map(d -> DynamicTest.dynamicTest(d.fileStem(), () -> check(d)));
  }

  private void check(Dashboard dashboard) {
    assertThat(problems(dashboard)).as(dashboard.fileStem()).isEmpty();
  }

  @Test
  void theLintShouldCatchABrokenDashboard() {
    Dashboard original =
        Dashboards.all().stream()
            .filter(d -> d.uid().equals("claude-code-tools-and-guard"))
            .findFirst()
            .orElseThrow();
    ObjectNode broken = original.json().deepCopy();
    ArrayNode panels = (ArrayNode) broken.path("panels");
    ObjectNode first = (ObjectNode) panels.get(1);
    ObjectNode second = (ObjectNode) panels.get(2);
    ((ObjectNode) first.path("fieldConfig").path("defaults")).remove("unit");
    first.remove("description");
    second.put("id", first.path("id").asInt());
    ((ObjectNode) second.path("datasource")).put("uid", "P1809F7CD0C75ACF3");
    broken.put("uid", "something-else");

    List<String> problems = problems(new Dashboard(original.file(), broken));

    assertThat(problems)
        .anyMatch(p -> p.contains("uid"))
        .anyMatch(p -> p.contains("no unit"))
        .anyMatch(p -> p.contains("no description"))
        .anyMatch(p -> p.contains("not unique"))
        .anyMatch(p -> p.contains("is not one of the dashboard's datasource variables"));
  }

  static List<String> problems(Dashboard dashboard) {
    JsonNode json = dashboard.json();
    List<String> problems = new ArrayList<>();
    if (!dashboard.uid().equals(dashboard.fileStem())) {
      problems.add("uid '" + dashboard.uid() + "' is not the file name");
    }
    if (json.path("title").asText().isBlank()) {
      problems.add("no title");
    }
    if (json.path("schemaVersion").asInt() < 36 || json.path("schemaVersion").asInt() > 41) {
      problems.add("schemaVersion " + json.path("schemaVersion") + " is not a current one (36-41)");
    }
    if (!json.path("tags").toString().contains("\"claude-telemetry\"")) {
      problems.add("no claude-telemetry tag");
    }
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.panels()) {
      String where = "panel " + panel.path("id") + " '" + panel.path("title").asText() + "'";
      if (!ids.add(panel.path("id").asInt(-1))) {
        problems.add(where + ": panel id is not unique");
      }
      if (panel.path("title").asText().isBlank()) {
        problems.add(where + ": no title");
      }
    }
    List<String> datasourceVariables = new ArrayList<>();
    for (JsonNode variable : dashboard.variables()) {
      if ("datasource".equals(variable.path("type").asText())) {
        datasourceVariables.add(variable.path("name").asText());
      }
    }
    if (!datasourceVariables.contains("datasource")) {
      problems.add("no ${datasource} variable");
    }
    for (JsonNode variable : dashboard.variables()) {
      String name = variable.path("name").asText();
      String type = variable.path("query").asText();
      if ("datasource".equals(name) && !"prometheus".equals(type)) {
        problems.add("$datasource must be a Prometheus datasource variable, is " + type);
      }
      if ("postgres".equals(name) && !"grafana-postgresql-datasource".equals(type)) {
        problems.add("$postgres must be a PostgreSQL datasource variable, is " + type);
      }
    }

    Set<String> usedVariables = new HashSet<>();
    for (JsonNode panel : dashboard.dataPanels()) {
      String where = "panel " + panel.path("id") + " '" + panel.path("title").asText() + "'";
      if (panel.path("description").asText().isBlank()) {
        problems.add(where + ": no description");
      }
      if (panel.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
        problems.add(where + ": no unit");
      }
      String panelDatasource = panel.path("datasource").path("uid").asText();
      if (!datasourceVariables.contains(variableName(panelDatasource))) {
        problems.add(
            where
                + ": datasource '"
                + panelDatasource
                + "' is not one of the dashboard's datasource variables");
      }
      usedVariables.add(variableName(panelDatasource));
      if (panel.path("targets").isEmpty()) {
        problems.add(where + ": no queries");
      }
      for (JsonNode target : panel.path("targets")) {
        String targetDatasource = target.path("datasource").path("uid").asText(panelDatasource);
        if (!targetDatasource.equals(panelDatasource)) {
          problems.add(
              where
                  + " "
                  + target.path("refId").asText()
                  + ": target datasource differs from the panel's");
        }
      }
      collectVariables(panel.toString(), usedVariables);
    }
    for (Query query : dashboard.queries()) {
      if (query.isPromQl()) {
        problems.addAll(checkPromQl(query));
      }
    }
    for (JsonNode variable : dashboard.variables()) {
      String name = variable.path("name").asText();
      if (!usedVariables.contains(name)) {
        problems.add("variable $" + name + " is defined but no panel uses it");
      }
      if (variable.path("description").asText().isBlank()) {
        problems.add("variable $" + name + " has no description");
      }
    }
    Set<String> defined =
        new HashSet<>(dashboard.variables().stream().map(v -> v.path("name").asText()).toList());
    for (String used : usedVariables) {
      if (!defined.contains(used) && !GRAFANA_VARIABLES.contains(used)) {
        problems.add("$" + used + " is used but not defined");
      }
    }
    return problems;
  }

  /** dashboard-linter's target-rate-interval-rule and target-counter-agg-rule, in our flavour. */
  static List<String> checkPromQl(Query query) {
    List<String> problems = new ArrayList<>();
    String expr = query.text();
    if (expr.isBlank()) {
      problems.add(query + ": empty expression");
      return problems;
    }
    Matcher rate = RATE_WINDOW.matcher(expr);
    while (rate.find()) {
      if (!"$__rate_interval".equals(rate.group(3).trim())) {
        problems.add(
            query
                + ": "
                + rate.group(1)
                + "() must use [$__rate_interval], not ["
                + rate.group(3)
                + "]");
      }
    }
    Matcher increase = INCREASE_WINDOW.matcher(expr);
    while (increase.find()) {
      String window = increase.group(2).trim();
      if (!Set.of("$__rate_interval", "$__interval", "$__range").contains(window)) {
        problems.add(
            query + ": increase() must use a Grafana interval variable, not [" + window + "]");
      }
    }
    Matcher counter = COUNTER.matcher(expr);
    while (counter.find()) {
      String before = expr.substring(0, counter.start());
      int open =
          Math.max(
              Math.max(before.lastIndexOf("rate("), before.lastIndexOf("increase(")),
              before.lastIndexOf("irate("));
      if (open < 0
          || before.substring(open).chars().filter(c -> c == ')').count()
              >= before.substring(open).chars().filter(c -> c == '(').count()) {
        problems.add(
            query
                + ": counter "
                + counter.group()
                + " must be inside rate(), irate() or increase()");
      }
    }
    return problems;
  }

  private static String variableName(String reference) {
    return reference.replace("${", "").replace("}", "").replace("$", "");
  }

  private static void collectVariables(String text, Set<String> into) {
    Matcher matcher = VARIABLE_USE.matcher(text);
    while (matcher.find()) {
      into.add(matcher.group(1));
    }
  }

  @Test
  void theLintShouldCatchARateWithoutTheRateInterval() {
    Query bad = new Query("d", "p", "A", "${datasource}", "sum(rate(claude_tool_calls_total[5m]))");
    Query bare = new Query("d", "p", "B", "${datasource}", "sum(claude_tool_calls_total)");
    Query good =
        new Query(
            "d",
            "p",
            "C",
            "${datasource}",
            "histogram_quantile(0.9, sum by (le) (rate(claude_tool_duration_seconds_bucket[$__rate_interval])))");
    assertThat(checkPromQl(bad)).singleElement().asString().contains("[$__rate_interval]");
    assertThat(checkPromQl(bare)).singleElement().asString().contains("must be inside rate()");
    assertThat(checkPromQl(good)).isEmpty();
  }
}
