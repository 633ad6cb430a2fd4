package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each switch in values.yaml, on and off, changes exactly what it says. */
class ChartTogglesTest {

  private final RenderedChart defaults = RenderedChart.render();

  private static Optional<EnvVar> env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
  }

  private static Container container(RenderedChart chart, String workload) {
    return chart.podSpecs().get(workload).getContainers().get(0);
  }

  @Test
  void shouldScrapeEveryServiceAndTheCollectorByNamedPortWithTheKubePrometheusStackReleaseLabel() {
    List<ServiceMonitor> monitors = defaults.objects(ServiceMonitor.class);

    assertThat(monitors)
        .extracting(m -> m.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "hook-ingest", "policy-service", "transcript-service", "otel-collector");
    monitors.forEach(
        m -> {
          String component = m.getMetadata().getName();
          assertThat(m.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
          assertThat(m.getSpec().getEndpoints())
              .singleElement()
              .satisfies(
                  e -> {
                    // The Quarkus services serve /q/metrics on the management port only.
                    assertThat(e.getPort())
                        .isEqualTo(component.equals("otel-collector") ? "metrics" : "management");
                    assertThat(e.getTargetPort()).isNull();
                    // The named port exists on the Service the monitor selects.
                    assertThat(defaults.object(Service.class, component).getSpec().getPorts())
                        .extracting(ServicePort::getName)
                        .contains(e.getPort());
                  });
        });
    assertThat(
            RenderedChart.render(Map.of("monitoring.serviceMonitors.enabled", false))
                .objects(ServiceMonitor.class))
        .isEmpty();
  }

  @Test
  void shouldLabelMonitoringObjectsForAnotherPrometheusRelease() {
    RenderedChart chart = RenderedChart.render(Map.of("monitoring.selectorLabels.release", "prom"));

    assertThat(chart.objects(ServiceMonitor.class))
        .allSatisfy(m -> assertThat(m.getMetadata().getLabels()).containsEntry("release", "prom"));
    assertThat(chart.object(PrometheusRule.class, "claude-telemetry").getMetadata().getLabels())
        .containsEntry("release", "prom");
  }

  @Test
  void shouldRenderThePrometheusRuleOnlyWhenEnabled() {
    assertThat(defaults.objects(PrometheusRule.class)).hasSize(1);
    assertThat(
            RenderedChart.render(Map.of("monitoring.prometheusRules.enabled", false))
                .objects(PrometheusRule.class))
        .isEmpty();
  }

  @Test
  void shouldShipDashboardsAndDatasourcesOnlyWhenEnabled() {
    RenderedChart off =
        RenderedChart.render(
            Map.of(
                "monitoring.dashboards.enabled", false, "monitoring.datasources.enabled", false));

    assertThat(defaults.objects(ConfigMap.class))
        .anyMatch(cm -> cm.getMetadata().getLabels().containsKey("grafana_dashboard"));
    assertThat(off.objects(ConfigMap.class))
        .noneMatch(cm -> cm.getMetadata().getLabels().containsKey("grafana_dashboard"));
    assertThat(defaults.find(Secret.class, "claude-telemetry-grafana-datasources")).isPresent();
    assertThat(off.find(Secret.class, "claude-telemetry-grafana-datasources")).isEmpty();
  }

  @Test
  void shouldProvisionPrometheusAndTheReadOnlyPostgresqlRoleAsDatasources() {
    Secret datasources = defaults.object(Secret.class, "claude-telemetry-grafana-datasources");
    String provisioning = datasources.getStringData().get("claude-telemetry-datasources.yaml");
    String readerPassword =
        defaults
            .object(Secret.class, "claude-telemetry-postgresql")
            .getStringData()
            .get("reader-password");

    assertThat(datasources.getMetadata().getLabels()).containsEntry("grafana_datasource", "1");
    assertThat(provisioning)
        .contains(
            "type: prometheus",
            "type: grafana-postgresql-datasource",
            "url: postgresql.claude-telemetry.svc.cluster.local:5432",
            "user: \"grafana_reader\"");
    assertThat(readerPassword).hasSize(40);
    assertThat(provisioning).contains("password: \"" + readerPassword + "\"");
  }

  @Test
  void shouldGenerateTokensIntoOneKeptSecretAndHandTheIngestTokenToEveryWriter() {
    Secret tokens = defaults.object(Secret.class, "claude-telemetry-tokens");

    assertThat(tokens.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(tokens.getStringData().get("ingest-token"))
        .hasSize(40)
        .isNotEqualTo(tokens.getStringData().get("read-token"));
    assertThat(
            env(container(defaults, "StatefulSet/hook-ingest"), "HOOK_INGEST_TOKEN")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getKey())
        .isEqualTo("ingest-token");
    assertThat(
            env(container(defaults, "Deployment/transcript-service"), "TRANSCRIPT_WRITE_TOKEN")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getKey())
        .isEqualTo("ingest-token");
    assertThat(
            env(container(defaults, "Deployment/transcript-service"), "TRANSCRIPT_READ_TOKEN")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getKey())
        .isEqualTo("read-token");
  }

  @Test
  void shouldUseAnExistingTokenSecretInsteadOfGeneratingOne() {
    RenderedChart chart = RenderedChart.render(Map.of("tokens.existingSecret", "from-vault"));

    assertThat(chart.find(Secret.class, "claude-telemetry-tokens")).isEmpty();
    assertThat(chart.text()).doesNotContain("name: claude-telemetry-tokens");
    assertThat(
            env(container(chart, "StatefulSet/hook-ingest"), "HOOK_INGEST_TOKEN")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getName())
        .isEqualTo("from-vault");
  }

  @Test
  void shouldRunPostgresqlInTheChartOrPointAtAnExternalDatabase() {
    RenderedChart external =
        RenderedChart.render("helm/claude-telemetry/ci/external-database-values.yaml");

    assertThat(defaults.find(StatefulSet.class, "postgresql")).isPresent();
    assertThat(
            env(container(defaults, "Deployment/transcript-service"), "QUARKUS_DATASOURCE_JDBC_URL")
                .orElseThrow()
                .getValue())
        .isEqualTo(
            "jdbc:postgresql://postgresql.claude-telemetry.svc.cluster.local:5432/claude_telemetry");

    assertThat(external.find(StatefulSet.class, "postgresql")).isEmpty();
    assertThat(external.find(Secret.class, "claude-telemetry-postgresql")).isEmpty();
    Container transcript = container(external, "Deployment/transcript-service");
    assertThat(env(transcript, "QUARKUS_DATASOURCE_JDBC_URL").orElseThrow().getValue())
        .startsWith("jdbc:postgresql://db.internal.example:5432/");
    assertThat(
            env(transcript, "QUARKUS_DATASOURCE_PASSWORD")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getName())
        .isEqualTo("claude-telemetry-db");
  }

  @Test
  void shouldRunTheCollectorOnlyWhenEnabled() {
    RenderedChart off = RenderedChart.render(Map.of("otelCollector.enabled", false));

    assertThat(defaults.find(Deployment.class, "otel-collector")).isPresent();
    assertThat(off.names()).noneMatch(n -> n.contains("otel-collector"));
  }

  @Test
  void shouldRunOneWorkspacePerUserWithItsOwnIdentity() {
    RenderedChart team = RenderedChart.render("helm/claude-telemetry/ci/team-values.yaml");

    assertThat(team.objects(StatefulSet.class))
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "postgresql",
            "hook-ingest",
            "claude-code-alice",
            "claude-code-bob",
            "claude-code-carol-ops");
    Secret bob = team.object(Secret.class, "claude-code-bob-identity");
    assertThat(bob.getStringData())
        .containsEntry("user", "bob")
        .containsEntry("email", "bob@example.com");

    StatefulSet alice = team.object(StatefulSet.class, "claude-code-alice");
    Container identity = alice.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(identity.getEnv())
        .extracting(e -> e.getValueFrom().getSecretKeyRef().getName())
        .containsExactly(
            "claude-code-alice-identity",
            "claude-code-alice-identity",
            "claude-telemetry-tokens-from-vault");
    assertThat(String.join(" ", identity.getCommand()))
        .contains(
            "OTEL_RESOURCE_ATTRIBUTES",
            "CLAUDE_TELEMETRY_USER",
            "CLAUDE_TELEMETRY_TOKEN",
            "/identity/50-identity.json");
    assertThat(alice.getSpec().getVolumeClaimTemplates())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("home", "workspace");
    assertThat(alice.getSpec().getVolumeClaimTemplates())
        .allSatisfy(p -> assertThat(p.getSpec().getStorageClassName()).isEqualTo("fast-ssd"));
    assertThat(alice.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("workspace");
              assertThat(m.getMountPath()).isEqualTo("/home/claude-user/workspace");
            });
    assertThat(
            env(container(team, "StatefulSet/claude-code-alice"), "ANTHROPIC_API_KEY")
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getName())
        .isEqualTo("anthropic-api-key");
    // hook-ingest keeps its `user` label to the configured users
    assertThat(
            env(container(team, "StatefulSet/hook-ingest"), "INGEST_USERS")
                .orElseThrow()
                .getValue())
        .isEqualTo("alice,bob,carol-ops");
  }

  @Test
  void shouldLeaveTheApiKeyOutForInteractiveLogin() {
    assertThat(env(container(defaults, "StatefulSet/claude-code-developer"), "ANTHROPIC_API_KEY"))
        .isEmpty();
  }

  @Test
  void shouldResolveServiceNamesInOneLookupUnlessTheClusterDefaultsAreKept() {
    PodDNSConfig dns = defaults.podSpecs().get("StatefulSet/claude-code-developer").getDnsConfig();

    assertThat(dns.getOptions())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getName()).isEqualTo("ndots");
              assertThat(o.getValue()).isEqualTo("4");
            });
    assertThat(defaults.podSpecs())
        .allSatisfy(
            (workload, spec) -> {
              if (!workload.startsWith("StatefulSet/claude-code-")) {
                assertThat(spec.getDnsConfig()).as(workload).isNull();
              }
            });
    assertThat(
            RenderedChart.render(Map.of("claudeCode.dnsConfig", "null"))
                .podSpecs()
                .get("StatefulSet/claude-code-developer")
                .getDnsConfig())
        .isNull();
  }

  @Test
  void shouldRenderNoWorkspaceWhenDisabled() {
    RenderedChart off = RenderedChart.render(Map.of("claudeCode.enabled", false));

    assertThat(off.names()).noneMatch(n -> n.contains("/claude-code"));
  }

  @Test
  void shouldExposeGrafanaThroughAnIngressOnlyWhenEnabled() {
    RenderedChart team = RenderedChart.render("helm/claude-telemetry/ci/team-values.yaml");

    assertThat(defaults.objects(Ingress.class)).isEmpty();
    Ingress ingress = team.object(Ingress.class, "grafana");
    assertThat(ingress.getSpec().getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getHost()).isEqualTo("grafana.platform.example.com");
              assertThat(r.getHttp().getPaths().get(0).getBackend().getService().getName())
                  .isEqualTo("kube-prometheus-stack-grafana");
            });
    assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("grafana-tls");
  }

  @Test
  void shouldPassTheGuardSettingsToHookIngest() {
    RenderedChart open =
        RenderedChart.render(
            Map.of("hookIngest.guard.failMode", "open", "hookIngest.guard.timeout", "750ms"));

    assertThat(
            env(container(defaults, "StatefulSet/hook-ingest"), "INGEST_GUARD_FAIL_MODE")
                .orElseThrow()
                .getValue())
        .isEqualTo("closed");
    assertThat(
            env(container(open, "StatefulSet/hook-ingest"), "INGEST_GUARD_FAIL_MODE")
                .orElseThrow()
                .getValue())
        .isEqualTo("open");
    assertThat(
            env(container(open, "StatefulSet/hook-ingest"), "INGEST_GUARD_TIMEOUT")
                .orElseThrow()
                .getValue())
        .isEqualTo("750ms");
    assertThat(
            env(container(defaults, "StatefulSet/hook-ingest"), "POLICY_SERVICE_URL")
                .orElseThrow()
                .getValue())
        .isEqualTo("http://policy-service.claude-telemetry.svc.cluster.local:8080");
  }

  @Test
  void shouldKeepThePolicyConfigMapAcrossUpgradesAndUninstall() {
    ConfigMap policy = defaults.object(ConfigMap.class, "claude-telemetry-policy");

    assertThat(policy.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep")
        .containsEntry("claude-telemetry.dev/policy-origin", "chart");
  }
}
