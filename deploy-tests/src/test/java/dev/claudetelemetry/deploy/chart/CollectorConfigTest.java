package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The collector config the chart renders parses, and names only components the contrib image has.
 */
class CollectorConfigTest {

  private static final CollectorComponents CONTRIB = CollectorComponents.contrib();

  static Stream<String> scenarios() throws Exception {
    return ChartRenderingTest.scenarios();
  }

  private static JsonNode config(RenderedChart chart) {
    return CollectorComponents.parse(
        chart.object(ConfigMap.class, "otel-collector").getData().get("config.yaml"));
  }

  /** The identity transform's statements of one OTTL context ("datapoint" or "resource"). */
  private static List<String> statements(JsonNode config, String context) {
    List<String> statements = new ArrayList<>();
    config
        .path("processors")
        .path("transform/claude-code-identity")
        .path("metric_statements")
        .forEach(
            group -> {
              if (group.path("context").asText().equals(context)) {
                group.path("statements").forEach(s -> statements.add(s.asText()));
              }
            });
    return statements;
  }

  @Test
  void shouldKnowTheContribDistributionItChecksAgainst() {
    assertThat(CONTRIB.version()).isEqualTo("0.159.0");
    assertThat(
            RenderedChart.render()
                .object(Deployment.class, "otel-collector")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .endsWith("opentelemetry-collector-contrib:" + CONTRIB.version());
    assertThat(CONTRIB.types("processors"))
        .contains("transform", "deltatocumulative", "memory_limiter", "batch");
  }

  @Test
  void shouldAcceptTheDistributionsOwnDefaultConfig() {
    JsonNode defaults =
        CollectorComponents.readResource(CollectorComponents.CONTRIB + "config.yaml");

    assertThat(CONTRIB.check(defaults)).isEmpty();
  }

  @Test
  void shouldRejectAComponentTheDistributionDoesNotHave() {
    JsonNode config =
        CollectorComponents.parse(
            """
        receivers: {otlp: {}}
        processors: {attribute_dropper: {}}
        exporters: {prometheus: {}}
        service:
          pipelines:
            metrics: {receivers: [otlp], processors: [attribute_dropper, batch], exporters: [prometheus]}
        """);

    assertThat(CONTRIB.check(config))
        .containsExactlyInAnyOrder(
            "processors.attribute_dropper: no processor of type 'attribute_dropper' in otelcol-contrib 0.159.0",
            "pipeline metrics names undeclared processors batch");
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldNameOnlyContribComponentsAndDeclaredPipelineParts(String scenario) {
    RenderedChart chart = RenderedChart.render("helm/claude-telemetry/ci/" + scenario);
    if (chart.find(ConfigMap.class, "otel-collector").isEmpty()) {
      assertThat(chart.find(Deployment.class, "otel-collector")).isEmpty();
      return;
    }

    assertThat(CONTRIB.check(config(chart))).isEmpty();
  }

  @Test
  void shouldExportMetricsToPrometheusAndForwardEventsToTranscriptServiceWithTheWriteToken() {
    RenderedChart chart = RenderedChart.render();
    JsonNode config = config(chart);

    assertThat(config.at("/receivers/otlp/protocols/http/endpoint").asText())
        .isEqualTo("0.0.0.0:4318");
    assertThat(config.at("/receivers/otlp/protocols/grpc/endpoint").asText())
        .isEqualTo("0.0.0.0:4317");
    assertThat(config.at("/exporters/prometheus/endpoint").asText()).isEqualTo("0.0.0.0:8889");
    JsonNode transcript = config.path("exporters").path("otlphttp/transcript-service");
    assertThat(transcript.path("endpoint").asText())
        .isEqualTo("http://transcript-service.claude-telemetry.svc.cluster.local:8080");
    assertThat(transcript.at("/headers/Authorization").asText())
        .isEqualTo("Bearer ${env:TRANSCRIPT_WRITE_TOKEN}");
    assertThat(config.at("/service/pipelines/logs/exporters/0").asText())
        .isEqualTo("otlphttp/transcript-service");

    List<EnvVar> env =
        chart
            .object(Deployment.class, "otel-collector")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getEnv();
    assertThat(env)
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("TRANSCRIPT_WRITE_TOKEN");
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo("claude-telemetry-tokens");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("service-token");
            });
  }

  @Test
  void
      shouldLabelPointsWithThePodIdentityAndDropUnboundedAndPersonalAttributesBeforeTheyBecomeCumulative() {
    JsonNode config = config(RenderedChart.render());

    // the label contract of grafana-dashboards/README.md: `user` = the identity drop-in's user.id
    // (a resource
    // attribute), no session id, no installation hash, no e-mail address
    assertThat(statements(config, "datapoint"))
        .containsExactly(
            "set(attributes[\"user\"], resource.attributes[\"user.id\"]) where resource.attributes[\"user.id\"] != nil",
            "delete_key(attributes, \"session.id\")",
            "delete_key(attributes, \"user.id\")",
            "delete_key(attributes, \"user.email\")");
    assertThat(statements(config, "resource"))
        .containsExactly("delete_key(attributes, \"user.email\")");
    List<String> processors = new ArrayList<>();
    config.at("/service/pipelines/metrics/processors").forEach(p -> processors.add(p.asText()));
    assertThat(processors)
        .containsSubsequence("transform/claude-code-identity", "deltatocumulative", "batch");
  }

  @Test
  void shouldPassAttributesThroughWhenRelabellingIsSwitchedOff() {
    JsonNode config =
        config(
            RenderedChart.render(Map.of(), "helm/claude-telemetry/ci/all-attributes-values.yaml"));

    assertThat(config.path("processors").has("transform/claude-code-identity")).isFalse();
    assertThat(config.at("/service/pipelines/metrics/processors").toString())
        .doesNotContain("transform");
    assertThat(config.at("/service/pipelines").has("logs")).isFalse();
    assertThat(config.path("exporters").has("otlphttp/transcript-service")).isFalse();
  }

  @Test
  void shouldDropTheConfiguredAttributes() {
    JsonNode config =
        config(
            RenderedChart.render(
                Map.of(
                    "otelCollector.metrics.dropAttributes[0]",
                    "session.id",
                    "otelCollector.metrics.dropAttributes[1]",
                    "terminal.type",
                    "otelCollector.metrics.userLabel",
                    false)));

    assertThat(statements(config, "datapoint"))
        .containsExactly(
            "delete_key(attributes, \"session.id\")", "delete_key(attributes, \"terminal.type\")");
  }
}
