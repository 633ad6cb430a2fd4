package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * hook-ingest's spool survives its pod: a StatefulSet with a volume per replica, mounted where
 * HOOK_INGEST_SPOOL_DIR says, a bound below the volume's size, a grace period longer than the
 * drain, a PodDisruptionBudget, and the same Service (with its ClientIP affinity) in front.
 */
class HookIngestSpoolTest {

  private static Optional<String> env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst();
  }

  /** A Quarkus memory size ("1800M", "2G", "1048576") in bytes. */
  private static long quarkusBytes(String size) {
    char unit = size.charAt(size.length() - 1);
    int shift =
        switch (unit) {
          case 'K' -> 10;
          case 'M' -> 20;
          case 'G' -> 30;
          default -> 0;
        };
    String digits = shift == 0 ? size : size.substring(0, size.length() - 1);
    return Long.parseLong(digits) << shift;
  }

  @Test
  void shouldKeepEachReplicasSpoolOnItsOwnVolume() {
    RenderedChart chart = RenderedChart.render();
    assertThat(chart.find(Deployment.class, "hook-ingest")).isEmpty();
    StatefulSet hookIngest = chart.object(StatefulSet.class, "hook-ingest");
    assertThat(hookIngest.getSpec().getServiceName()).isEqualTo("hook-ingest");
    assertThat(hookIngest.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(hookIngest.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled())
        .as("a scaled-away replica's undelivered events wait for it to come back")
        .isEqualTo("Retain");

    PersistentVolumeClaim claim = hookIngest.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(hookIngest.getSpec().getVolumeClaimTemplates()).hasSize(1);
    assertThat(claim.getMetadata().getName()).isEqualTo("spool");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getStorageClassName()).isNull();
    Quantity size = claim.getSpec().getResources().getRequests().get("storage");
    assertThat(size).isEqualTo(new Quantity("2Gi"));

    PodSpec pod = hookIngest.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);
    String dir = env(container, "HOOK_INGEST_SPOOL_DIR").orElseThrow();
    assertThat(container.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("spool");
              assertThat(m.getMountPath()).isEqualTo(dir);
              assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            });
    long maxBytes = quarkusBytes(env(container, "HOOK_INGEST_SPOOL_MAX_BYTES").orElseThrow());
    assertThat(BigDecimal.valueOf(maxBytes))
        .as("the bound leaves the filesystem its share of the volume")
        .isLessThan(Quantity.getAmountInBytes(size).multiply(BigDecimal.valueOf(0.95)));
    // The volume is writable by the service's non-root user.
    assertThat(pod.getSecurityContext().getFsGroup())
        .isEqualTo(pod.getSecurityContext().getRunAsUser());

    // Draining fits in the grace period, with room for the JVM to stop.
    String grace = env(container, "INGEST_FORWARD_SHUTDOWN_GRACE").orElseThrow();
    assertThat(grace).isEqualTo("20s");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);

    // The names the chart uses are the ones hook-ingest reads.
    String properties = RepoFiles.text("hook-ingest/src/main/resources/application.properties");
    assertThat(properties).contains("${HOOK_INGEST_SPOOL_DIR:}", "${HOOK_INGEST_SPOOL_MAX_BYTES:");
  }

  @Test
  void shouldKeepTheServiceAndDisruptionBudgetInFrontOfTheReplicas() {
    RenderedChart chart = RenderedChart.render();
    Map<String, String> podLabels =
        chart
            .object(StatefulSet.class, "hook-ingest")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    Service service = chart.object(Service.class, "hook-ingest");
    assertThat(service.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    PodDisruptionBudget budget = chart.object(PodDisruptionBudget.class, "hook-ingest");
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(podLabels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void shouldUseTheConfiguredStorageClassAndSize() {
    StatefulSet hookIngest =
        RenderedChart.render(
                Map.of(
                    "hookIngest.spool.storageClass", "fast-ssd",
                    "hookIngest.spool.size", "10Gi",
                    "hookIngest.spool.maxBytes", "9G",
                    "hookIngest.shutdownGraceSeconds", 45))
            .object(StatefulSet.class, "hook-ingest");
    PersistentVolumeClaim claim = hookIngest.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("10Gi"));
    Container container = hookIngest.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(container, "HOOK_INGEST_SPOOL_MAX_BYTES")).contains("9G");
    assertThat(env(container, "INGEST_FORWARD_SHUTDOWN_GRACE")).contains("45s");
    assertThat(hookIngest.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(55L);
  }

  @Test
  void shouldRunADeploymentWithTheMemoryBufferWhenTheSpoolIsOff() {
    RenderedChart chart = RenderedChart.render(Map.of("hookIngest.spool.enabled", false));
    assertThat(chart.find(StatefulSet.class, "hook-ingest")).isEmpty();
    Container container =
        chart
            .object(Deployment.class, "hook-ingest")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(env(container, "HOOK_INGEST_SPOOL_DIR")).isEmpty();
    assertThat(container.getVolumeMounts()).noneMatch(m -> m.getName().equals("spool"));
  }
}
