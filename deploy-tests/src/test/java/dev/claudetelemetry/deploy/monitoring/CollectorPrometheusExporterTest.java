package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.util.List;
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
}
