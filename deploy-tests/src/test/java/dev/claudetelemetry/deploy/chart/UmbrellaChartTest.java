package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm/claude-telemetry-stack cannot be rendered here (its kube-prometheus-stack dependency is
 * downloaded online by `helm dependency build`), so this checks what can be checked offline: it
 * lints apart from the missing download, and its values agree with what claude-telemetry renders.
 */
class UmbrellaChartTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode umbrellaValues() throws IOException {
    return YAML.readTree(RepoFiles.umbrellaChart().resolve("values.yaml").toFile());
  }

  @Test
  void shouldLintWithOnlyTheUndownloadedDependencyMissing() {
    LintResult lint = new Helm(RepoFiles.umbrellaChart()).lint().call();

    assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages())
        .filteredOn(m -> m.contains("[WARNING]") || m.contains("[ERROR]"))
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains("missing these dependencies")
                    .contains("kube-prometheus-stack"));
  }

  @Test
  void shouldDependOnKubePrometheusStackFromItsRepositoryAndOnTheLocalChart() throws IOException {
    JsonNode chart = YAML.readTree(RepoFiles.umbrellaChart().resolve("Chart.yaml").toFile());

    assertThat(chart.path("dependencies")).hasSize(2);
    assertThat(chart.at("/dependencies/0/name").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(chart.at("/dependencies/0/repository").asText())
        .isEqualTo("https://prometheus-community.github.io/helm-charts");
    assertThat(chart.at("/dependencies/1/repository").asText())
        .isEqualTo("file://../claude-telemetry");
    JsonNode ours = YAML.readTree(RepoFiles.chart().resolve("Chart.yaml").toFile());
    assertThat(chart.at("/dependencies/1/version").asText())
        .isEqualTo(ours.path("version").asText());
    assertThat(ours.has("dependencies"))
        .as("claude-telemetry itself has no dependency (renders offline)")
        .isFalse();
  }

  @Test
  void shouldConfigureGrafanasSidecarsForTheLabelsClaudeTelemetryUses() throws IOException {
    JsonNode kps = umbrellaValues().path("kube-prometheus-stack");
    RenderedChart chart = RenderedChart.render();
    ConfigMap dashboard =
        chart.objects(ConfigMap.class).stream()
            .filter(cm -> cm.getMetadata().getName().startsWith("dashboard-"))
            .findFirst()
            .orElseThrow();
    Secret datasources = chart.object(Secret.class, "claude-telemetry-grafana-datasources");

    JsonNode sidecar = kps.at("/grafana/sidecar");
    assertThat(dashboard.getMetadata().getLabels())
        .containsEntry(
            sidecar.at("/dashboards/label").asText(),
            sidecar.at("/dashboards/labelValue").asText());
    assertThat(dashboard.getMetadata().getAnnotations())
        .containsKey(sidecar.at("/dashboards/folderAnnotation").asText());
    assertThat(datasources.getMetadata().getLabels())
        .containsEntry(
            sidecar.at("/datasources/label").asText(),
            sidecar.at("/datasources/labelValue").asText());
    assertThat(
            kps.at("/prometheus/prometheusSpec/serviceMonitorSelectorNilUsesHelmValues")
                .asBoolean(true))
        .isFalse();
    assertThat(kps.at("/prometheus/prometheusSpec/ruleSelectorNilUsesHelmValues").asBoolean(true))
        .isFalse();
  }

  @Test
  void shouldRenderClaudeTelemetryWithTheUmbrellasValuesAndAdmitOnlyPrometheusAndGrafanaPods(
      @TempDir Path dir) throws IOException {
    JsonNode umbrella = umbrellaValues();
    Path subchartValues = dir.resolve("claude-telemetry-values.yaml");
    Files.writeString(subchartValues, YAML.writeValueAsString(umbrella.path("claude-telemetry")));

    RenderedChart chart = RenderedChart.render(subchartValues.toString());

    String prometheusService =
        umbrella.at("/kube-prometheus-stack/fullnameOverride").asText() + "-prometheus";
    assertThat(
            chart
                .object(Secret.class, "claude-telemetry-grafana-datasources")
                .getStringData()
                .values())
        .anySatisfy(
            v ->
                assertThat(v)
                    .contains("http://" + prometheusService + ".claude-telemetry.svc:9090"));
    List<NetworkPolicyPeer> policyServicePeers =
        chart.object(NetworkPolicy.class, "policy-service").getSpec().getIngress().stream()
            .flatMap(rule -> rule.getFrom().stream())
            .toList();
    assertThat(policyServicePeers)
        .filteredOn(peer -> peer.getNamespaceSelector() != null)
        .singleElement()
        .satisfies(
            peer -> {
              assertThat(peer.getNamespaceSelector().getMatchLabels())
                  .containsEntry("kubernetes.io/metadata.name", "claude-telemetry");
              assertThat(peer.getPodSelector().getMatchLabels())
                  .containsEntry("app.kubernetes.io/name", "prometheus");
            });
    assertThat(policyServicePeers)
        .allSatisfy(peer -> assertThat(peer.getPodSelector()).isNotNull());
    assertThat(
            chart.object(NetworkPolicy.class, "postgresql").getSpec().getIngress().get(0).getFrom())
        .anySatisfy(
            peer ->
                assertThat(peer.getPodSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/name", "grafana"));
  }
}
