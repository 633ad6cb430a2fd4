package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart lints and renders offline, and every object it renders is valid against the API models
 * and CRD schemas.
 */
class ChartRenderingTest {

  static Stream<String> scenarios() throws IOException {
    try (Stream<Path> files = Files.list(RepoFiles.chart().resolve("ci"))) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith("-values.yaml"))
              .sorted()
              .toList();
      assertThat(names)
          .as("ci/*-values.yaml scenarios")
          .contains("default-values.yaml")
          .hasSizeGreaterThan(3);
      return names.stream();
    }
  }

  @Test
  void shouldPassStrictLintWithDefaultValues() {
    LintResult lint = new Helm(RepoFiles.chart()).lint().strict().call();

    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void shouldRenderEveryComponentWithDefaultValues() {
    RenderedChart chart = RenderedChart.render();

    assertThat(chart.names())
        .contains(
            "StatefulSet/hook-ingest",
            "Deployment/policy-service",
            "Deployment/transcript-service",
            "Deployment/otel-collector",
            "StatefulSet/postgresql",
            "StatefulSet/claude-code-developer",
            "Service/hook-ingest",
            "Service/policy-service",
            "Service/transcript-service",
            "Service/otel-collector",
            "Service/postgresql",
            "ConfigMap/claude-telemetry-policy",
            "ConfigMap/claude-code-managed-settings",
            "Secret/claude-telemetry-tokens",
            "Secret/claude-telemetry-postgresql",
            "ServiceMonitor/hook-ingest",
            "PrometheusRule/claude-telemetry",
            "NetworkPolicy/hook-ingest",
            "PodDisruptionBudget/hook-ingest",
            "Secret/claude-telemetry-grafana-datasources");
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldRenderOnlyKnownKindsWithoutUnknownFields(String scenario) {
    RenderedChart chart = RenderedChart.render("helm/claude-telemetry/ci/" + scenario);

    List<String> problems = new ArrayList<>();
    for (RenderedChart.Document document : chart.documents()) {
      if (document.object() instanceof GenericKubernetesResource) {
        problems.add(document.source() + ": " + document.kind() + " is not a known API type");
      }
      UnknownFields.in(document.object()).forEach(p -> problems.add(document.source() + ": " + p));
    }
    assertThat(problems).isEmpty();
    assertThat(chart.documents()).isNotEmpty();
  }

  @ParameterizedTest(name = "ci/{0}")
  @MethodSource("scenarios")
  void shouldMatchThePrometheusOperatorCrdSchemas(String scenario) throws IOException {
    CrdSchemas schemas = CrdSchemas.prometheusOperator();
    RenderedChart chart = RenderedChart.render("helm/claude-telemetry/ci/" + scenario);

    List<String> problems = new ArrayList<>();
    List<RenderedChart.Document> covered =
        chart.documents().stream().filter(d -> schemas.covers(d.kind())).toList();
    covered.forEach(
        d ->
            schemas
                .validate(d.kind(), d.tree())
                .forEach(p -> problems.add(d.kind() + "/" + d.name() + p)));
    assertThat(covered)
        .as("every Prometheus Operator object has a schema to be checked against")
        .containsExactlyInAnyOrderElementsOf(
            chart.documents().stream()
                .filter(
                    d ->
                        String.valueOf(d.tree().get("apiVersion"))
                            .startsWith("monitoring.coreos.com/"))
                .toList());
    JsonNode monitoring =
        new ObjectMapper(new YAMLFactory())
            .readTree(RepoFiles.chart().resolve("ci").resolve(scenario).toFile())
            .path("monitoring");
    if (monitoring.path("serviceMonitors").path("enabled").asBoolean(true)
        || monitoring.path("prometheusRules").path("enabled").asBoolean(true)) {
      // A scenario without the Prometheus Operator renders none; every other must render some, or
      // this test would pass having checked nothing.
      assertThat(covered).as("Prometheus Operator objects checked").isNotEmpty();
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void shouldReportAnUnknownFieldTheWayStrictValidationWould() {
    RenderedChart chart =
        RenderedChart.parse(
            """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers:
                - name: x
                  image: x
                  imagePullPolicyy: Always
        """);

    assertThat(UnknownFields.in(chart.documents().get(0).object()))
        .singleElement()
        .asString()
        .contains("containers[0]")
        .contains("imagePullPolicyy");
  }

  @Test
  void shouldRejectAServiceMonitorFieldTheCrdDoesNotHave() {
    Map<String, Object> bogus =
        Map.of(
            "apiVersion",
            "monitoring.coreos.com/v1",
            "kind",
            "ServiceMonitor",
            "metadata",
            Map.of("name", "x"),
            "spec",
            Map.of(
                "selector",
                Map.of(),
                "endpoints",
                List.of(Map.of("port", "http", "intervall", "30s"))));

    assertThat(CrdSchemas.prometheusOperator().validate("ServiceMonitor", bogus))
        .anySatisfy(p -> assertThat(p).contains("intervall"));
  }

  @Test
  void shouldRefuseAWrongTypeInARenderedObject() {
    assertThatThrownBy(
            () ->
                RenderedChart.parse(
                    """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec: {replicas: one}
        """))
        .hasMessageContaining("does not match the Kubernetes model");
  }
}
