package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * hook-ingest learns each user's team from the chart, not from the workspace: a ConfigMap rendered
 * from {@code claudeCode.users[].team}, mounted whole (a subPath mount would never see an update),
 * at the path {@code HOOK_INGEST_USER_TEAMS} names.
 */
class UserTeamsTest {

  @SuppressWarnings("unchecked")
  private static Map<String, String> teamsFile(RenderedChart chart) throws Exception {
    PodSpec pod = chart.podSpecs().get("StatefulSet/hook-ingest");
    Container container = pod.getContainers().get(0);
    String path =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("HOOK_INGEST_USER_TEAMS"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow(() -> new AssertionError("hook-ingest has no HOOK_INGEST_USER_TEAMS"));
    VolumeMount mount =
        container.getVolumeMounts().stream()
            .filter(m -> path.startsWith(m.getMountPath() + "/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing is mounted where " + path + " is"));
    assertThat(mount.getSubPath()).as("a whole-volume mount, updated by the kubelet").isNull();
    assertThat(mount.getReadOnly()).isTrue();
    String configMap =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow()
            .getConfigMap()
            .getName();
    String key = path.substring(mount.getMountPath().length() + 1);
    String json = chart.object(ConfigMap.class, configMap).getData().get(key);
    assertThat(json).as("key " + key + " of ConfigMap " + configMap).isNotNull();
    return new ObjectMapper().readValue(json, Map.class);
  }

  @Test
  void shouldGiveHookIngestTheTeamOfEveryUserWhoHasOne() throws Exception {
    assertThat(teamsFile(RenderedChart.render("helm/claude-telemetry/ci/team-values.yaml")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("alice", "platform", "bob", "data-science"));
  }

  @Test
  void shouldGiveHookIngestAnEmptyFileWhenNoUserHasATeam() throws Exception {
    assertThat(teamsFile(RenderedChart.render())).isEmpty();
  }

  @Test
  void shouldMountTheTeamsAlsoWithoutTheSpool() throws Exception {
    RenderedChart chart =
        RenderedChart.render(
            Map.of("hookIngest.spool.enabled", false), "helm/claude-telemetry/ci/team-values.yaml");
    PodSpec pod = chart.podSpecs().get("Deployment/hook-ingest");
    assertThat(pod).as("hook-ingest without the spool is a Deployment").isNotNull();
    assertThat(pod.getVolumes())
        .anyMatch(
            v ->
                v.getConfigMap() != null
                    && v.getConfigMap().getName().equals("hook-ingest-user-teams"));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/claude-telemetry/user-teams"));
  }
}
