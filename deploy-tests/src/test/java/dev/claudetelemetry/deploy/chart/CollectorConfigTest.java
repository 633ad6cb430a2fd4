package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
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

  /** The statements of one transform processor for one OTTL context ("datapoint", "resource"). */
  private static List<String> statements(JsonNode config, String processor, String context) {
    List<String> statements = new ArrayList<>();
    config
        .path("processors")
        .path(processor)
        .path("metric_statements")
        .forEach(
            group -> {
              if (group.path("context").asText().equals(context)) {
                group.path("statements").forEach(s -> statements.add(s.asText()));
              }
            });
    return statements;
  }

  private static List<String> metricsProcessors(JsonNode config) {
    List<String> processors = new ArrayList<>();
    config.at("/service/pipelines/metrics/processors").forEach(p -> processors.add(p.asText()));
    return processors;
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

  @Test
  void shouldRejectAPersistentQueueWhoseStorageIsNotRunning() {
    JsonNode config =
        CollectorComponents.parse(
            """
        extensions: {health_check: {}, file_storage/queue: {}}
        receivers: {otlp: {}}
        exporters:
          otlphttp/a: {sending_queue: {storage: file_storage/queue}}
          otlphttp/b: {sending_queue: {storage: file_storage/missing}}
        service:
          extensions: [health_check]
          pipelines:
            logs: {receivers: [otlp], exporters: [otlphttp/a, otlphttp/b]}
        """);

    assertThat(CONTRIB.check(config))
        .containsExactlyInAnyOrder(
            "exporters.otlphttp/a.sending_queue.storage names file_storage/queue, not in service.extensions",
            "exporters.otlphttp/b.sending_queue.storage names undeclared extension file_storage/missing");
  }

  @Test
  void shouldQueueEventsForTranscriptServiceOnAVolumeThatOutlivesThePod() {
    RenderedChart chart = RenderedChart.render();
    JsonNode config = config(chart);
    JsonNode exporter = config.path("exporters").path("otlphttp/transcript-service");
    String storage = exporter.at("/sending_queue/storage").asText();
    assertThat(storage).startsWith("file_storage/");
    assertThat(exporter.at("/sending_queue/queue_size").asInt()).isEqualTo(5000);
    assertThat(exporter.at("/retry_on_failure/max_elapsed_time").asText())
        .as("retried for as long as transcript-service is down")
        .isEqualTo("0");
    assertThat(config.at("/service/extensions").toString()).contains("\"" + storage + "\"");
    JsonNode fileStorage = config.path("extensions").path(storage);
    String directory = fileStorage.path("directory").asText();
    assertThat(fileStorage.path("fsync").asBoolean()).isTrue();
    assertThat(fileStorage.at("/compaction/directory").asText()).isEqualTo(directory);
    assertThat(CONTRIB.check(config)).isEmpty();

    Deployment collector = chart.object(Deployment.class, "otel-collector");
    assertThat(collector.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    PodSpec pod = collector.getSpec().getTemplate().getSpec();
    String volume =
        pod.getContainers().get(0).getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(directory))
            .findFirst()
            .orElseThrow(() -> new AssertionError(directory + " is not mounted"))
            .getName();
    String claim =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(volume))
            .findFirst()
            .orElseThrow()
            .getPersistentVolumeClaim()
            .getClaimName();
    PersistentVolumeClaim queue = chart.object(PersistentVolumeClaim.class, claim);
    assertThat(queue.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("1Gi"));
    assertThat(queue.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    // The collector's non-root user can write it.
    assertThat(pod.getSecurityContext().getFsGroup())
        .isEqualTo(pod.getSecurityContext().getRunAsUser());
  }

  @Test
  void shouldKeepTheQueueInMemoryWhenThePersistentQueueIsOffOrNothingIsForwarded() {
    for (RenderedChart chart :
        List.of(
            RenderedChart.render(Map.of("otelCollector.logs.persistentQueue.enabled", false)),
            RenderedChart.render("helm/claude-telemetry/ci/all-attributes-values.yaml"))) {
      JsonNode config = config(chart);
      assertThat(config.path("extensions").fieldNames())
          .toIterable()
          .noneMatch(name -> name.startsWith("file_storage"));
      assertThat(chart.find(PersistentVolumeClaim.class, "otel-collector-queue")).isEmpty();
      assertThat(CONTRIB.check(config)).isEmpty();
    }
    JsonNode memory =
        config(RenderedChart.render(Map.of("otelCollector.logs.persistentQueue.enabled", false)));
    assertThat(
            memory
                .at("/exporters/otlphttp~1transcript-service/retry_on_failure/max_elapsed_time")
                .asText())
        .isEqualTo("10m");
  }

  @Test
  void shouldRefuseAPersistentQueueWithSeveralReplicas() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("otelCollector.replicas", 2)))
        .hasMessageContaining("otelCollector.logs.persistentQueue needs otelCollector.replicas: 1");
    assertThat(
            RenderedChart.render(
                    Map.of(
                        "otelCollector.replicas",
                        2,
                        "otelCollector.logs.persistentQueue.enabled",
                        false))
                .object(Deployment.class, "otel-collector")
                .getSpec()
                .getReplicas())
        .isEqualTo(2);
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
  void shouldTakeTheUserLabelFromTheSendingPodNotFromWhatTheSenderClaims() {
    RenderedChart chart = RenderedChart.render();
    JsonNode config = config(chart);

    // Forged claims go first (the pod tag included), then the lookup, then the relabelling, all
    // while
    // the points are still deltas.
    assertThat(metricsProcessors(config))
        .containsExactly(
            "memory_limiter",
            "filter/claude-code-metrics",
            "transform/claude-code-untrusted",
            "k8sattributes/claude-code-pod",
            "transform/claude-code-identity",
            "deltatocumulative",
            "batch");
    assertThat(statements(config, "transform/claude-code-untrusted", "resource"))
        .containsExactly(
            "keep_keys(attributes, [\"service.name\", \"service.version\", \"host.arch\","
                + " \"os.type\", \"os.version\"])");
    JsonNode lookup = config.path("processors").path("k8sattributes/claude-code-pod");
    assertThat(lookup.path("passthrough").asBoolean(true)).isFalse();
    assertThat(lookup.at("/filter/namespace").asText()).isEqualTo(RenderedChart.NAMESPACE);
    // Associated by the connection's source IP only: no resource attribute the sender could set.
    assertThat(lookup.path("pod_association").toString())
        .isEqualTo("[{\"sources\":[{\"from\":\"connection\"}]}]");
    assertThat(lookup.at("/extract/labels").toString())
        .isEqualTo(
            "[{\"tag_name\":\"claude_telemetry.pod.user\",\"key\":\"claude-telemetry.dev/user\","
                + "\"from\":\"pod\"},{\"tag_name\":\"claude_telemetry.pod.team\","
                + "\"key\":\"claude-telemetry.dev/team\",\"from\":\"pod\"}]");
    assertThat(statements(config, "transform/claude-code-identity", "datapoint"))
        .containsExactly(
            "set(attributes[\"user\"], resource.attributes[\"claude_telemetry.pod.user\"]) where"
                + " resource.attributes[\"claude_telemetry.pod.user\"] != nil",
            "set(attributes[\"user\"], \"unknown\") where"
                + " resource.attributes[\"claude_telemetry.pod.user\"] == nil",
            "set(attributes[\"team\"], resource.attributes[\"claude_telemetry.pod.team\"]) where"
                + " resource.attributes[\"claude_telemetry.pod.team\"] != nil",
            "set(attributes[\"team\"], \"none\") where"
                + " resource.attributes[\"claude_telemetry.pod.team\"] == nil",
            "keep_keys(attributes, [\"anthropic.provider\", \"decision\", \"effort\", \"language\","
                + " \"model\", \"query_source\", \"source\", \"start_type\", \"terminal.type\","
                + " \"tool_name\", \"type\", \"user\", \"team\"])");
    assertThat(statements(config, "transform/claude-code-identity", "resource"))
        .containsExactly(
            "keep_keys(attributes, [\"service.name\", \"service.version\", \"host.arch\","
                + " \"os.type\", \"os.version\"])",
            "set(attributes[\"service.name\"], \"claude-code\")");
    assertThat(statements(config, "transform/claude-code-identity", "scope"))
        .containsExactly("set(version, \"\")");

    // The labels the lookup reads are on every workspace pod, with the user's name and team.
    for (StatefulSet workspace : chart.objects(StatefulSet.class)) {
      if (workspace.getMetadata().getName().startsWith("claude-code-")) {
        assertThat(workspace.getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry(
                "claude-telemetry.dev/user",
                workspace.getMetadata().getName().substring("claude-code-".length()))
            .containsEntry("claude-telemetry.dev/team", "none");
      }
    }
  }

  @Test
  void shouldLabelEachWorkspacePodWithItsUsersTeamButNotSelectOnIt() {
    RenderedChart chart = RenderedChart.render("helm/claude-telemetry/ci/team-values.yaml");
    Map<String, String> teams = new java.util.TreeMap<>();
    for (StatefulSet workspace : chart.objects(StatefulSet.class)) {
      if (workspace.getMetadata().getName().startsWith("claude-code-")) {
        teams.put(
            workspace.getMetadata().getName(),
            workspace
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels()
                .get("claude-telemetry.dev/team"));
        // A user may change teams: a selector cannot change on upgrade.
        assertThat(workspace.getSpec().getSelector().getMatchLabels())
            .doesNotContainKey("claude-telemetry.dev/team");
      }
    }
    assertThat(teams)
        .containsExactly(
            Map.entry("claude-code-alice", "platform"),
            Map.entry("claude-code-bob", "data-science"),
            Map.entry("claude-code-carol-ops", "none"));
  }

  @Test
  void shouldLetOnlyClaudeCodesOwnMetricsThrough() {
    JsonNode filter =
        config(RenderedChart.render()).path("processors").path("filter/claude-code-metrics");

    List<String> conditions = new ArrayList<>();
    filter.at("/metrics/metric").forEach(c -> conditions.add(c.asText()));
    assertThat(conditions)
        .containsExactly(
            "not IsMatch(name, \"^claude_code\\\\.\")",
            "instrumentation_scope.name != \"com.anthropic.claude_code\"");
  }

  @Test
  void shouldGiveTheCollectorReadOnlyAccessToThisNamespacesPodsAndItsTokenOnlyToItsContainer() {
    RenderedChart chart = RenderedChart.render();

    Role role = chart.object(Role.class, "otel-collector-pod-reader");
    assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("");
              assertThat(rule.getResources()).containsExactly("pods");
              assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
            });
    RoleBinding binding = chart.object(RoleBinding.class, "otel-collector-pod-reader");
    assertThat(binding.getRoleRef().getName()).isEqualTo("otel-collector-pod-reader");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("otel-collector"));
    assertThat(chart.names()).noneMatch(n -> n.startsWith("ClusterRole"));

    PodSpec pod =
        chart.object(Deployment.class, "otel-collector").getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("otel-collector");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath())
                  .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void shouldNeitherLookUpPodsNorHoldATokenWhenTheUserLabelIsOff() {
    RenderedChart chart =
        RenderedChart.render(Map.of(), "helm/claude-telemetry/ci/all-attributes-values.yaml");
    JsonNode config = config(chart);

    assertThat(metricsProcessors(config)).doesNotContain("k8sattributes/claude-code-pod");
    assertThat(config.path("processors").has("k8sattributes/claude-code-pod")).isFalse();
    assertThat(statements(config, "transform/claude-code-identity", "datapoint"))
        .singleElement()
        .satisfies(s -> assertThat(s).startsWith("keep_keys(").contains("\"session.id\""));
    assertThat(chart.names()).noneMatch(n -> n.startsWith("Role"));
    assertThat(
            chart
                .object(Deployment.class, "otel-collector")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes())
        .noneMatch(v -> v.getName().equals("kube-api-access"));
    assertThat(config.at("/service/pipelines").has("logs")).isFalse();
    assertThat(config.path("exporters").has("otlphttp/transcript-service")).isFalse();
  }

  @Test
  void shouldKeepTheConfiguredAttributes() {
    JsonNode config =
        config(
            RenderedChart.render(
                Map.of(
                    "otelCollector.metrics.keepAttributes[0]",
                    "model",
                    "otelCollector.metrics.keepAttributes[1]",
                    "session.id")));

    assertThat(statements(config, "transform/claude-code-identity", "datapoint"))
        .contains("keep_keys(attributes, [\"model\", \"session.id\", \"user\", \"team\"])");
  }
}
