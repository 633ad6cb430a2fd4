package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budgets of the values become the constant series the budget alerts of the rules file compare
 * against: one rule per budget, exactly as the values say, accepted by promtool, and (run through
 * promtool's unit tests as rendered) firing for the users and teams past their budgets and for no
 * one else. The alerts' own behaviour is unit-tested in files/rules/tests/budgets.test.yaml.
 */
class BudgetRulesTest {

  private static final String TEAM_VALUES = "helm/claude-telemetry/ci/team-values.yaml";
  private static final String BUDGETS_GROUP = "claude-telemetry.budgets";

  private static List<RuleGroup> groups(RenderedChart chart) {
    return chart.object(PrometheusRule.class, "claude-telemetry").getSpec().getGroups();
  }

  private static Rule alert(RenderedChart chart, String name) {
    return groups(chart).stream()
        .flatMap(g -> g.getRules().stream())
        .filter(r -> name.equals(r.getAlert()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no alert " + name));
  }

  /** "user alice" / "team platform" → the budget's expression, from the rendered group. */
  private static Map<String, String> renderedBudgets(RenderedChart chart) {
    Map<String, String> budgets = new LinkedHashMap<>();
    for (RuleGroup group : groups(chart)) {
      if (!group.getName().equals(BUDGETS_GROUP)) {
        continue;
      }
      for (Rule rule : group.getRules()) {
        assertThat(rule.getAlert()).as("the budgets group records only").isNull();
        String level = rule.getRecord().substring(0, rule.getRecord().indexOf(':'));
        assertThat(rule.getRecord()).isEqualTo(level + ":claude_code_budget_usd:monthly");
        assertThat(rule.getLabels()).as(rule.getRecord()).containsOnlyKeys(level);
        budgets.put(level + " " + rule.getLabels().get(level), rule.getExpr().getStrVal());
      }
    }
    return budgets;
  }

  @Test
  void shouldRenderOneConstantSeriesPerBudgetOfTheValues() throws Exception {
    JsonNode values =
        new ObjectMapper(new YAMLFactory()).readTree(RepoFiles.resolve(TEAM_VALUES).toFile());
    Map<String, String> expected = new LinkedHashMap<>();
    values
        .at("/budgets/users")
        .fields()
        .forEachRemaining(
            e -> expected.put("user " + e.getKey(), "vector(" + e.getValue().asText() + ")"));
    values
        .at("/budgets/teams")
        .fields()
        .forEachRemaining(
            e -> expected.put("team " + e.getKey(), "vector(" + e.getValue().asText() + ")"));
    assertThat(expected).as("the scenario sets user and team budgets").hasSizeGreaterThan(2);

    assertThat(renderedBudgets(RenderedChart.render(TEAM_VALUES)))
        .containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void shouldRenderNoBudgetGroupWithoutBudgets() {
    assertThat(groups(RenderedChart.render())).noneMatch(g -> g.getName().equals(BUDGETS_GROUP));
  }

  @Test
  void shouldSetTheBurnRateThresholdOfBothBurnAlertsFromTheValues() {
    RenderedChart team = RenderedChart.render(TEAM_VALUES);
    RenderedChart defaults = RenderedChart.render();
    for (String name : List.of("ClaudeCodeUserBudgetBurnFast", "ClaudeCodeTeamBudgetBurnFast")) {
      assertThat(alert(defaults, name).getExpr().getStrVal()).as(name).endsWith("> 2");
      assertThat(alert(team, name).getExpr().getStrVal())
          .as(name)
          .isEqualTo(alert(defaults, name).getExpr().getStrVal().replaceFirst("> 2$", "> 3"));
    }
  }

  @Test
  void shouldKeepEachTeamAlertsOwnTeamWhenEveryAlertGetsARoutingTeamLabel() {
    RenderedChart routed =
        RenderedChart.render(
            Map.of("monitoring.prometheusRules.additionalLabels.team", "platform"), TEAM_VALUES);
    for (String name : List.of("ClaudeCodeTeamBudgetExceeded", "ClaudeCodeTeamBudgetBurnFast")) {
      assertThat(alert(routed, name).getLabels()).containsEntry("team", "{{ $labels.team }}");
    }
    assertThat(alert(routed, "ClaudeCodeUserBudgetExceeded").getLabels())
        .containsEntry("team", "platform");
  }

  @Test
  void shouldRefuseBudgetsForUsersAndTeamsTheChartDoesNotHaveAndASecondBurnThreshold() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("budgets.users.alicia", 100), TEAM_VALUES))
        .hasMessageContaining("budgets.users.alicia: no user of claudeCode.users has that name");
    assertThatThrownBy(
            () -> RenderedChart.render(Map.of("budgets.teams.finance", 100), TEAM_VALUES))
        .hasMessageContaining("budgets.teams.finance: no user of claudeCode.users is in that team");
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of(
                        "monitoring.prometheusRules.overrides.ClaudeCodeTeamBudgetBurnFast.threshold",
                        4)))
        .hasMessageContaining("set budgets.burnRateThreshold instead");
    // Its pending time is still the overrides' to set.
    assertThat(
            alert(
                    RenderedChart.render(
                        Map.of(
                            "monitoring.prometheusRules.overrides.ClaudeCodeTeamBudgetBurnFast.for",
                            "2h")),
                    "ClaudeCodeTeamBudgetBurnFast")
                .getFor())
        .isEqualTo("2h");
  }

  /**
   * The rendered PrometheusRule as promtool runs it: after 12 hours everyone but carol-ops burns
   * fast and no one is past a budget yet; after 48 hours alice (300) and team data-science (2,500)
   * are past theirs, carol-ops (12.5) and team platform (1,000) are not. At the scenario's
   * burn-rate threshold of 3, carol-ops' pace (2.9 budgets a month) stays quiet, which the rules
   * file's own threshold of 2 would not.
   */
  @Test
  void shouldFireTheRenderedBudgetAlertsForTheBudgetsOfTheValuesOnly(@TempDir Path dir)
      throws Exception {
    RenderedChart chart = RenderedChart.render(TEAM_VALUES);
    Files.writeString(
        dir.resolve("rendered.rules.yaml"),
        new KubernetesSerialization().asYaml(Map.of("groups", groups(chart))));
    Files.writeString(
        dir.resolve("rendered.test.yaml"),
        """
        rule_files: [rendered.rules.yaml]
        evaluation_interval: 1h
        group_eval_order: [claude-telemetry.budgets, claude-telemetry.recording, claude-telemetry.alerts]
        tests:
          - interval: 15m
            input_series:
              # alice (platform): 20 USD an hour; bob (data-science): 150; carol-ops (no team): 0.05.
              - series: 'claude_code_cost_usage_USD_total{user="alice",team="platform",model="m"}'
                values: '0+5x300'
              - series: 'claude_code_cost_usage_USD_total{user="bob",team="data-science",model="m"}'
                values: '0+37.5x300'
              - series: 'claude_code_cost_usage_USD_total{user="carol-ops",team="none",model="m"}'
                values: '0+0.0125x300'
            promql_expr_test:
              - expr: count by (alertname, user, team) (ALERTS{alertstate="firing",alertname=~"ClaudeCode.*Budget.*"})
                eval_time: 12h
                exp_samples:
                  - labels: '{alertname="ClaudeCodeUserBudgetBurnFast",user="alice"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeTeamBudgetBurnFast",team="data-science"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeTeamBudgetBurnFast",team="platform"}'
                    value: 1
              - expr: count by (alertname, user, team) (ALERTS{alertstate="firing",alertname=~"ClaudeCode.*Budget.*"})
                eval_time: 48h
                exp_samples:
                  - labels: '{alertname="ClaudeCodeUserBudgetExceeded",user="alice"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeTeamBudgetExceeded",team="data-science"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeUserBudgetBurnFast",user="alice"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeTeamBudgetBurnFast",team="data-science"}'
                    value: 1
                  - labels: '{alertname="ClaudeCodeTeamBudgetBurnFast",team="platform"}'
                    value: 1
        """);

    assertThat(promtool(dir, "check", "rules", "rendered.rules.yaml")).contains("SUCCESS");
    assertThat(promtool(dir, "test", "rules", "rendered.test.yaml")).contains("SUCCESS");
  }

  /** Runs promtool in {@code dir}; its output, once it exited 0. */
  private static String promtool(Path dir, String... arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("promtool"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    return output;
  }
}
