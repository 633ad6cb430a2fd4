package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json refuses wrong values before anything renders, and names the offending key. */
class ValuesSchemaTest {

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        Arguments.of("an unknown top-level key", Map.of("replicaCount", 2), "replicaCount"),
        Arguments.of("a typo inside a component", Map.of("hookIngest.replica", 2), "replica"),
        Arguments.of("zero replicas", Map.of("policyService.replicas", 0), "replicas"),
        Arguments.of(
            "a fail mode that does not exist",
            Map.of("hookIngest.guard.failMode", "maybe"),
            "failMode"),
        Arguments.of("a timeout without unit", Map.of("hookIngest.guard.timeout", "2"), "timeout"),
        Arguments.of(
            "a user name that is not a DNS label",
            Map.of(
                "claudeCode.users[0].name",
                "Alice_Smith",
                "claudeCode.users[0].email",
                "a@example.com"),
            "name"),
        Arguments.of(
            "a user without e-mail",
            Map.of(
                "claudeCode.users[0].name", "alice", "claudeCode.users[0].email", "not-an-email"),
            "email"),
        Arguments.of(
            "a boolean given as a string", Map.of("networkPolicies.enabled", "yes"), "enabled"),
        Arguments.of(
            "a pull policy Kubernetes does not know",
            Map.of("global.imagePullPolicy", "Sometimes"),
            "imagePullPolicy"),
        Arguments.of(
            "a volume size without unit", Map.of("postgresql.persistence.size", "10"), "size"),
        Arguments.of(
            "a JDBC URL of another database",
            Map.of("externalDatabase.url", "jdbc:mysql://db/x"),
            "url"),
        Arguments.of(
            "a team that is not a DNS label",
            Map.of(
                "claudeCode.users[0].name",
                "alice",
                "claudeCode.users[0].email",
                "a@example.com",
                "claudeCode.users[0].team",
                "Platform Team"),
            "team"),
        Arguments.of(
            "a team named like the label of no team",
            Map.of(
                "claudeCode.users[0].name",
                "alice",
                "claudeCode.users[0].email",
                "a@example.com",
                "claudeCode.users[0].team",
                "none"),
            "team"),
        Arguments.of("a negative budget", Map.of("budgets.users.developer", -5), "developer"),
        Arguments.of("a budget of nothing", Map.of("budgets.teams.platform", 0), "platform"),
        Arguments.of("a budget as text", Map.of("budgets.users.developer", "200 USD"), "developer"),
        Arguments.of("a budget for a bad user name", Map.of("budgets.users.Bob_X", 5), "Bob_X"),
        Arguments.of("a budget for the team of no team", Map.of("budgets.teams.none", 5), "none"),
        Arguments.of("an unknown budgets key", Map.of("budgets.monthly", 5), "monthly"),
        Arguments.of(
            "a burn-rate threshold of zero", Map.of("budgets.burnRateThreshold", 0), "burnRate"),
        Arguments.of(
            "an egress rule that is not a CIDR",
            Map.of("networkPolicies.httpsEgressCidrs[0]", "anthropic.com"),
            "httpsEgressCidrs"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongValues")
  void shouldRefuse(String what, Map<String, Object> values, String namedKey) {
    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(namedKey);
  }

  @org.junit.jupiter.api.Test
  void shouldAcceptTheSameKeysWithValidValues() {
    Map<String, Object> valid = new java.util.LinkedHashMap<>();
    valid.put("hookIngest.replicas", 1);
    valid.put("hookIngest.guard.failMode", "open");
    valid.put("hookIngest.guard.timeout", "1500ms");
    valid.put("claudeCode.users[0].name", "alice-smith");
    valid.put("claudeCode.users[0].email", "alice.smith@example.com");
    valid.put("claudeCode.users[0].team", "platform-2");
    valid.put("budgets.users.alice-smith", 50);
    valid.put("budgets.teams.platform-2", 1500);
    valid.put("budgets.burnRateThreshold", 3);
    valid.put("global.imagePullPolicy", "Always");
    valid.put("postgresql.persistence.size", "20Gi");
    valid.put("networkPolicies.httpsEgressCidrs[0]", "160.79.104.0/23");

    RenderedChart chart = RenderedChart.render(valid);

    assertThat(chart.names())
        .contains("StatefulSet/claude-code-alice-smith")
        .doesNotContain("PodDisruptionBudget/hook-ingest");
  }
}
