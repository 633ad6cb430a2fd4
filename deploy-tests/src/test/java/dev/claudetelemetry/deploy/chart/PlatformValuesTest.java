package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a platform team sets on a shared cluster (ci/platform-values.yaml) reaches every workload
 * and the alerts, and nothing of it appears when unset.
 */
class PlatformValuesTest {

  private static final String PLATFORM = "helm/claude-telemetry/ci/platform-values.yaml";

  private final RenderedChart defaults = RenderedChart.render();
  private final RenderedChart platform = RenderedChart.render(PLATFORM);

  /** Every pod template's metadata, keyed like {@link RenderedChart#podSpecs()}. */
  private static Map<String, ObjectMeta> podMetadata(RenderedChart chart) {
    Map<String, ObjectMeta> metadata = new LinkedHashMap<>();
    chart
        .objects(Deployment.class)
        .forEach(
            d ->
                metadata.put(
                    "Deployment/" + d.getMetadata().getName(),
                    d.getSpec().getTemplate().getMetadata()));
    chart
        .objects(StatefulSet.class)
        .forEach(
            s ->
                metadata.put(
                    "StatefulSet/" + s.getMetadata().getName(),
                    s.getSpec().getTemplate().getMetadata()));
    return metadata;
  }

  private static List<Rule> alerts(RenderedChart chart) {
    return chart.object(PrometheusRule.class, "claude-telemetry").getSpec().getGroups().stream()
        .flatMap(g -> g.getRules().stream())
        .filter(r -> r.getAlert() != null)
        .toList();
  }

  @Test
  void shouldPlaceEveryWorkloadAsTheValuesSay() {
    Map<String, PodSpec> pods = platform.podSpecs();
    assertThat(pods.keySet())
        .as("every component with pods")
        .contains(
            "StatefulSet/hook-ingest",
            "Deployment/policy-service",
            "Deployment/transcript-service",
            "StatefulSet/postgresql",
            "Deployment/otel-collector")
        .anyMatch(name -> name.startsWith("StatefulSet/claude-code-"));
    pods.forEach(
        (name, pod) -> {
          assertThat(pod.getPriorityClassName()).as(name).isEqualTo("platform-critical");
          assertThat(pod.getNodeSelector())
              .as(name)
              .containsExactly(Map.entry("node-pool", "claude"));
          assertThat(pod.getTolerations())
              .as(name)
              .singleElement()
              .satisfies(
                  t -> {
                    assertThat(t.getKey()).isEqualTo("dedicated");
                    assertThat(t.getEffect()).isEqualTo("NoSchedule");
                  });
          assertThat(
                  pod.getAffinity()
                      .getNodeAffinity()
                      .getRequiredDuringSchedulingIgnoredDuringExecution()
                      .getNodeSelectorTerms())
              .as(name)
              .hasSize(1);
        });
    podMetadata(platform)
        .forEach(
            (name, meta) -> {
              assertThat(meta.getLabels()).as(name).containsEntry("cost-center", "platform-42");
              // The chart's own labels stay: selectors and NetworkPolicies match on them.
              assertThat(meta.getLabels()).as(name).containsKey("app.kubernetes.io/component");
              assertThat(meta.getAnnotations())
                  .as(name)
                  .containsEntry("example.com/owner", "platform-team");
            });
  }

  @Test
  void shouldAddNoPlacementOrPodMetadataByDefault() {
    defaults
        .podSpecs()
        .forEach(
            (name, pod) -> {
              assertThat(pod.getPriorityClassName()).as(name).isNull();
              assertThat(pod.getNodeSelector()).as(name).isNullOrEmpty();
              assertThat(pod.getTolerations()).as(name).isNullOrEmpty();
              assertThat(pod.getAffinity()).as(name).isNull();
            });
    podMetadata(defaults)
        .forEach(
            (name, meta) -> assertThat(meta.getLabels()).as(name).doesNotContainKey("cost-center"));
  }

  @Test
  void shouldKeepTheWorkspaceUserLabelWithExtraPodLabels() {
    podMetadata(platform).entrySet().stream()
        .filter(e -> e.getKey().startsWith("StatefulSet/claude-code-"))
        .forEach(
            e ->
                assertThat(e.getValue().getLabels())
                    .as(e.getKey())
                    .containsEntry(
                        "claude-telemetry.dev/user",
                        e.getKey().substring("StatefulSet/claude-code-".length())));
  }

  @Test
  void shouldRefusePodLabelsThatWouldOverrideTheChartsOwn() {
    for (String key : List.of("app.kubernetes.io/component", "claude-telemetry.dev/user")) {
      assertThatThrownBy(
              () ->
                  RenderedChart.render(
                      Map.of("claudeCode.podLabels." + key.replace(".", "\\."), "mallory")))
          .as(key)
          .hasMessageContaining("values don't meet the specifications of the schema")
          .hasMessageContaining("podLabels");
    }
  }

  @Test
  void shouldLeaveOutDisabledAlertsAndRefuseUnknownNames() {
    List<String> all = alerts(defaults).stream().map(Rule::getAlert).toList();
    List<String> kept = alerts(platform).stream().map(Rule::getAlert).toList();

    assertThat(all).contains("ClaudeCodeCostBurnHigh");
    assertThat(kept)
        .doesNotContain("ClaudeCodeCostBurnHigh")
        .containsExactlyElementsOf(
            all.stream().filter(a -> !a.equals("ClaudeCodeCostBurnHigh")).toList());
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of("monitoring.prometheusRules.disabled[0]", "ClaudeCostBurnHigh")))
        .hasMessageContaining("the rules file has no alert ClaudeCostBurnHigh");
  }

  @Test
  void shouldLabelEveryAlertAndLinkTheTeamsRunbookWithoutOverridingSeverity() {
    Map<String, Rule> byName = new LinkedHashMap<>();
    alerts(defaults).forEach(r -> byName.put(r.getAlert(), r));

    assertThat(alerts(platform))
        .isNotEmpty()
        .allSatisfy(
            alert -> {
              // The team budget alerts name the team that spends; routing labels cannot replace it.
              boolean teamAlert = alert.getAlert().startsWith("ClaudeCodeTeamBudget");
              assertThat(alert.getLabels())
                  .containsEntry("team", teamAlert ? "{{ $labels.team }}" : "platform")
                  .containsEntry(
                      "severity", byName.get(alert.getAlert()).getLabels().get("severity"));
              assertThat(alert.getAnnotations())
                  .containsEntry(
                      "runbook_url",
                      "https://wiki.example.com/claude-telemetry/runbook#"
                          + alert.getAlert().toLowerCase(java.util.Locale.ROOT));
            });
    Map<String, Object> severityOverride =
        Map.of("monitoring.prometheusRules.additionalLabels.severity", "info");
    assertThat(alerts(RenderedChart.render(severityOverride)))
        .allSatisfy(
            alert ->
                assertThat(alert.getLabels().get("severity"))
                    .isEqualTo(byName.get(alert.getAlert()).getLabels().get("severity")));
  }

  @Test
  void shouldOverrideThresholdsAndPendingTimesByNameAndLeaveTheOtherAlertsAsShipped()
      throws Exception {
    Map<String, Rule> shipped = new LinkedHashMap<>();
    alerts(defaults).forEach(r -> shipped.put(r.getAlert(), r));
    Map<String, Rule> overridden = new LinkedHashMap<>();
    alerts(platform).forEach(r -> overridden.put(r.getAlert(), r));

    assertThat(shipped.get("ClaudePolicyDenialSpike").getExpr().getStrVal()).endsWith("> 2");
    assertThat(overridden.get("ClaudePolicyDenialSpike").getExpr().getStrVal())
        .isEqualTo(
            shipped
                .get("ClaudePolicyDenialSpike")
                .getExpr()
                .getStrVal()
                .replaceFirst("> 2$", "> 5"));
    assertThat(overridden.get("ClaudePolicyDenialSpike").getFor()).isEqualTo("10m");
    assertThat(overridden.get("ClaudeHookSpoolFilling").getExpr().getStrVal()).endsWith("> 0.9");
    assertThat(overridden.get("ClaudeHookSpoolFilling").getFor())
        .isEqualTo(shipped.get("ClaudeHookSpoolFilling").getFor());
    assertThat(overridden.get("ClaudeTelemetryServiceDown").getExpr().getStrVal())
        .isEqualTo(shipped.get("ClaudeTelemetryServiceDown").getExpr().getStrVal());
    assertThat(overridden.get("ClaudeTelemetryServiceDown").getFor()).isEqualTo("5m");
    List<String> untouched =
        List.of("ClaudePolicyDenialSpike", "ClaudeHookSpoolFilling", "ClaudeTelemetryServiceDown");
    overridden.forEach(
        (name, alert) -> {
          if (!untouched.contains(name)) {
            assertThat(alert.getExpr()).as(name).isEqualTo(shipped.get(name).getExpr());
            assertThat(alert.getFor()).as(name).isEqualTo(shipped.get(name).getFor());
          }
        });
    assertPromtoolAccepts(platform);
  }

  @Test
  void shouldRefuseOverridesForUnknownAlertsAlertsWithoutOneThresholdAndBadDurations() {
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of("monitoring.prometheusRules.overrides.ClaudeCostBurnHigh.for", "5m")))
        .hasMessageContaining("the rules file has no alert ClaudeCostBurnHigh");
    // Two arms (`or`), each with its own comparison: one number would not say which to change.
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of(
                        "monitoring.prometheusRules.overrides.ClaudeGuardUnavailable.threshold",
                        3)))
        .hasMessageContaining("ClaudeGuardUnavailable.threshold");
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of(
                        "monitoring.prometheusRules.overrides.ClaudeCodeCostBurnHigh.for",
                        "half an hour")))
        .hasMessageContaining("overrides.ClaudeCodeCostBurnHigh.for");
  }

  /** The overridden rules are still rules Prometheus loads. */
  private static void assertPromtoolAccepts(RenderedChart chart) throws Exception {
    PrometheusRule rule = chart.object(PrometheusRule.class, "claude-telemetry");
    Path file = Files.createTempFile("rendered-rules", ".yaml");
    try {
      Files.writeString(
          file, new KubernetesSerialization().asYaml(Map.of("groups", rule.getSpec().getGroups())));
      Process promtool =
          new ProcessBuilder("promtool", "check", "rules", file.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(promtool.getInputStream().readAllBytes());
      assertThat(promtool.waitFor()).as(output).isZero();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void shouldSetTheRetentionAgeFromDays() {
    assertThat(retention(defaults)).isEqualTo("P90D");
    assertThat(retention(platform)).isEqualTo("P30D");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("transcriptService.retentionDays", 0)))
        .hasMessageContaining("retentionDays");
  }

  private static String retention(RenderedChart chart) {
    return chart
        .podSpecs()
        .get("Deployment/transcript-service")
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .filter(e -> e.getName().equals("TRANSCRIPT_RETENTION_MAX_AGE"))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow();
  }
}
