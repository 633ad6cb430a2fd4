package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The emulation names Claude Code's metrics the way testdata/claude-code/README.md records the
 * collector does.
 */
class CollectorPrometheusExporterTest {

  @Test
  void shouldNameMetricsWithUnitSuffixesAndTotal() {
    assertThat(CollectorPrometheusExporter.metricName("claude_code.cost.usage", "USD", "counter"))
        .isEqualTo("claude_code_cost_usage_USD_total");
    assertThat(
            CollectorPrometheusExporter.metricName("claude_code.token.usage", "tokens", "counter"))
        .isEqualTo("claude_code_token_usage_tokens_total");
    assertThat(
            CollectorPrometheusExporter.metricName("claude_code.active_time.total", "s", "counter"))
        .isEqualTo("claude_code_active_time_seconds_total");
    assertThat(CollectorPrometheusExporter.metricName("claude_code.session.count", "", "counter"))
        .isEqualTo("claude_code_session_count_total");
    assertThat(CollectorPrometheusExporter.metricName("queue.size", "{events}", "gauge"))
        .isEqualTo("queue_size");
  }

  @Test
  void shouldLabelByPodIdentityAndDropSessionAndEmail() {
    CollectorPrometheusExporter exporter =
        new CollectorPrometheusExporter(
            RepoPaths.claudeCodeFixtures().resolve("otel/otlp-metrics.json"), List.of("alice"));
    exporter.receive("alice");
    exporter.receive("alice");
    String text = exporter.render();

    assertThat(text)
        .contains("# TYPE claude_code_cost_usage_USD_total counter")
        .containsPattern(
            "claude_code_token_usage_tokens_total\\{[^}]*model=\"claude-opus-5-5\"[^}]*type=\"input\"[^}]*user=\"alice\"[^}]*\\} 1200.0")
        .contains("claude_code_session_count_total{")
        .doesNotContain("alice@example.com");
    assertThat(text.lines().filter(line -> line.startsWith("claude_code_")))
        .isNotEmpty()
        .allSatisfy(
            sample ->
                assertThat(sample)
                    .doesNotContain("session_id")
                    .doesNotContain("user_email")
                    .doesNotContain("user_id"));
  }

  @Test
  void shouldLabelByThePodTheDataCameFromNotByWhatTheSenderClaims() {
    CollectorPrometheusExporter exporter =
        new CollectorPrometheusExporter(
            RepoPaths.claudeCodeFixtures().resolve("otel/otlp-metrics.json"),
            List.of("alice"),
            Map.of("alice", "platform"));
    exporter.receive("alice");
    long seriesBefore = exporter.render().lines().filter(l -> l.startsWith("claude_code_")).count();

    // alice's agent posts the same export claiming to be bob, with attributes of its own.
    exporter.receive(
        "alice",
        Map.of("user.id", "bob", "service.name", "forged", "forged.resource", "x1"),
        Map.of("user", "bob", "team", "finance", "forged.point", "x2", "session.id", "s-123"));
    String text = exporter.render();

    assertThat(text)
        .doesNotContain("bob")
        .doesNotContain("forged")
        .doesNotContain("x1")
        .doesNotContain("x2")
        .doesNotContain("s-123")
        .doesNotContain("finance")
        .containsPattern(
            "claude_code_token_usage_tokens_total\\{[^}]*team=\"platform\"[^}]*type=\"input\"[^}]*user=\"alice\"[^}]*\\} 1200.0");
    assertThat(text.lines().filter(l -> l.startsWith("claude_code_")).count())
        .as("no new series")
        .isEqualTo(seriesBefore);
  }
}
