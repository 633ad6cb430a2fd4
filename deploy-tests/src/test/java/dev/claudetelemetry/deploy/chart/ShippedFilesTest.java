package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every file the chart mounts is the repository's single copy that the services, the e2e suite and
 * promtool use: symlinks into the chart, shipped byte for byte.
 */
class ShippedFilesTest {

  private final RenderedChart chart = RenderedChart.render();

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "files/default-policy.yaml=policies/default-policy.yaml",
        "files/claude-code/managed-settings.json=k8s/claude-code/managed-settings.json",
        "files/dashboards=grafana-dashboards"
      })
  void shouldLinkTheChartFileToTheRepositorysSingleCopy(String link) throws IOException {
    String[] parts = link.split("=");
    Path inChart = RepoFiles.chart().resolve(parts[0]);
    Path target = RepoFiles.existing(parts[1]);

    assertThat(Files.isSymbolicLink(inChart)).as("%s is a symlink, not a copy", parts[0]).isTrue();
    assertThat(inChart.toRealPath()).isEqualTo(target.toRealPath());
  }

  @Test
  void shouldShipThePolicyFileByteForByte() {
    ConfigMap policy = chart.object(ConfigMap.class, "claude-telemetry-policy");

    assertThat(policy.getData()).containsOnlyKeys("policy.yaml");
    assertThat(policy.getData().get("policy.yaml"))
        .isEqualTo(RepoFiles.text("policies/default-policy.yaml"));
  }

  @Test
  void shouldMountThePolicyAsADirectoryTheServiceWatches() {
    PodSpec pod = chart.podSpecs().get("Deployment/policy-service");
    VolumeMount mount =
        pod.getContainers().get(0).getVolumeMounts().stream()
            .filter(m -> m.getName().equals("policy"))
            .findFirst()
            .orElseThrow();

    assertThat(mount.getSubPath()).as("subPath mounts never see ConfigMap updates").isNull();
    assertThat(mount.getReadOnly()).isTrue();
    assertThat(pod.getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POLICY_FILE");
              assertThat(e.getValue()).isEqualTo(mount.getMountPath() + "/policy.yaml");
            });
  }

  @Test
  void shouldShipTheManagedSettingsByteForByteInNamespaceClaudeTelemetry() {
    ConfigMap settings = chart.object(ConfigMap.class, "claude-code-managed-settings");

    assertThat(settings.getData().get("managed-settings.json"))
        .isEqualTo(RepoFiles.text("k8s/claude-code/managed-settings.json"));
  }

  @Test
  void shouldRewriteOnlyTheServiceNamespaceOfTheManagedSettingsInAnotherNamespace() {
    String original = RepoFiles.text("k8s/claude-code/managed-settings.json");
    assertThat(original)
        .as("the managed settings name the services in namespace claude-telemetry")
        .contains(".claude-telemetry.svc.cluster.local");

    RenderedChart elsewhere = RenderedChart.renderIn("ai-tools", Map.of());
    String shipped =
        elsewhere
            .object(ConfigMap.class, "claude-code-managed-settings")
            .getData()
            .get("managed-settings.json");

    assertThat(shipped)
        .doesNotContain(".claude-telemetry.svc.cluster.local")
        .contains(".ai-tools.svc.cluster.local");
    // and the pinned search list (LOCALDOMAIN), which starts with the namespace's own domain
    assertThat(shipped)
        .isEqualTo(
            original
                .replace(".claude-telemetry.svc.cluster.local", ".ai-tools.svc.cluster.local")
                .replace("\"claude-telemetry.svc.cluster.local ", "\"ai-tools.svc.cluster.local "));
    assertThat(shipped).contains("\"LOCALDOMAIN\": \"ai-tools.svc.cluster.local svc.cluster.local");
  }

  /**
   * The hook client runs from the claude-code image, where it is execute-only for the agent's user:
   * a ConfigMap volume over /opt/claude-telemetry/bin would make it readable by the pod's fsGroup
   * (the agent's group), and a process started from a file its user can read can be traced by it.
   */
  @Test
  void shouldRunTheHookClientFromTheImageWithOnlyTheSettingsMountedReadOnly() {
    assertThat(RepoFiles.chart().resolve("files/claude-code/bin")).doesNotExist();
    PodSpec workspace = chart.podSpecs().get("StatefulSet/claude-code-developer");
    assertThat(workspace.getVolumes())
        .filteredOn(v -> v.getConfigMap() != null)
        .extracting(v -> v.getConfigMap().getName())
        .containsExactly("claude-code-managed-settings");
    for (var container : workspace.getContainers()) {
      assertThat(container.getVolumeMounts())
          .as(container.getName())
          .noneMatch(
              m ->
                  m.getMountPath().startsWith("/opt/")
                      || m.getMountPath().equals("/usr/local/bin"));
    }
    assertThat(workspace.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> m.getMountPath().startsWith("/etc/claude-code"))
        .allSatisfy(m -> assertThat(m.getReadOnly()).as(m.getMountPath()).isTrue())
        .extracting(VolumeMount::getMountPath)
        .containsExactlyInAnyOrder(
            "/etc/claude-code/managed-settings.json", "/etc/claude-code/managed-settings.d");
  }

  @Test
  void shouldShipEveryDashboardByteForByteWithTheSidecarLabelAndFolder() throws IOException {
    Map<String, String> expected = new TreeMap<>();
    try (Stream<Path> files = Files.list(RepoFiles.existing("grafana-dashboards"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        expected.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    assertThat(expected).as("grafana-dashboards/*.json").isNotEmpty();

    Map<String, String> shipped = new TreeMap<>();
    chart.objects(ConfigMap.class).stream()
        .filter(cm -> "1".equals(cm.getMetadata().getLabels().get("grafana_dashboard")))
        .forEach(
            cm -> {
              assertThat(cm.getMetadata().getAnnotations())
                  .containsEntry("grafana_folder", "Claude Code");
              assertThat(cm.getData()).hasSize(1);
              shipped.putAll(cm.getData());
            });
    assertThat(shipped).isEqualTo(expected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldShipTheAlertRulesFileAsThePrometheusRuleSpec() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, Object> rulesFile =
        yaml.readValue(
            RepoFiles.text("helm/claude-telemetry/files/rules/claude-telemetry.rules.yaml"),
            Map.class);
    assertThat((List<Object>) rulesFile.get("groups")).as("rule groups").isNotEmpty();

    Map<String, Object> spec =
        (Map<String, Object>)
            chart.document("PrometheusRule", "claude-telemetry").tree().get("spec");

    assertThat(spec).isEqualTo(Map.of("groups", rulesFile.get("groups")));
    assertThat(chart.object(PrometheusRule.class, "claude-telemetry").getMetadata().getLabels())
        .containsEntry("release", "kube-prometheus-stack");
  }
}
