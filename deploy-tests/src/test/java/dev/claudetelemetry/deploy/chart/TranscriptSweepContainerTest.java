package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The workspace pod's transcript-sweep container (k8s/claude-code/README.md, "The transcript
 * sweep"): what makes it beyond the agent's reach is in the pod spec, so it is checked here.
 */
class TranscriptSweepContainerTest {

  @Test
  void shouldSweepTheHomeVolumeReadOnlyFromAContainerTheAgentCannotReach() throws Exception {
    StatefulSet workspace =
        RenderedChart.render().object(StatefulSet.class, "claude-code-developer");
    PodSpec pod = workspace.getSpec().getTemplate().getSpec();
    Container sweep =
        pod.getContainers().stream()
            .filter(c -> c.getName().equals("transcript-sweep"))
            .findFirst()
            .orElseThrow();
    Container agent =
        pod.getContainers().stream()
            .filter(c -> c.getName().equals("claude-code"))
            .findFirst()
            .orElseThrow();

    assertThat(pod.getShareProcessNamespace())
        .as("no process the agent starts may see or signal the sweep")
        .isNotEqualTo(Boolean.TRUE);
    assertThat(sweep.getCommand())
        .containsExactly(
            "/opt/claude-telemetry/bin/claude-transcript-sweep",
            "/home/claude-user/.claude/projects",
            "30",
            "60",
            "/var/lib/claude-telemetry/hook-handoff");
    assertThat(sweep.getArgs()).isNullOrEmpty();
    assertThat(sweep.getEnv()).as("its configuration is argv and managed settings").isNullOrEmpty();
    Map<String, VolumeMount> mounts =
        sweep.getVolumeMounts().stream()
            .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    assertThat(mounts.get("/home/claude-user").getName()).isEqualTo("home");
    assertThat(mounts.get("/home/claude-user").getReadOnly()).isTrue();
    for (String managed :
        new String[] {
          "/etc/claude-code/managed-settings.json", "/etc/claude-code/managed-settings.d"
        }) {
      VolumeMount mount = mounts.get(managed);
      assertThat(mount.getReadOnly()).as(managed).isTrue();
      assertThat(agent.getVolumeMounts())
          .as("the same volume the hooks read: %s", managed)
          .anySatisfy(
              m -> {
                assertThat(m.getMountPath()).isEqualTo(managed);
                assertThat(m.getName()).isEqualTo(mount.getName());
              });
    }
    assertThat(mounts)
        .as("the hook client is the image's, as in the agent's container")
        .doesNotContainKey("/opt/claude-telemetry/bin");
    assertThat(sweep.getSecurityContext().getRunAsNonRoot()).isTrue();

    // The hook hand-off: the socket's volume writable in the sweep only (the agent connects, but
    // cannot remove or replace the socket), the waiting events on a volume the agent's container
    // does not mount.
    String socketDir = "/run/claude-telemetry/hook-handoff";
    assertThat(mounts.get(socketDir).getReadOnly()).isNotEqualTo(Boolean.TRUE);
    assertThat(agent.getVolumeMounts())
        .filteredOn(m -> m.getName().equals(mounts.get(socketDir).getName()))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo(socketDir);
              assertThat(m.getReadOnly()).isTrue();
            });
    String settings =
        RenderedChart.render()
            .object(ConfigMap.class, "claude-code-managed-settings")
            .getData()
            .get("managed-settings.json");
    assertThat(
            new ObjectMapper()
                .readTree(settings)
                .path("env")
                .path("CLAUDE_HOOK_HANDOFF_SOCKET")
                .asText())
        .as("the socket claude-hook connects to is on that volume")
        .startsWith(socketDir + "/");
    VolumeMount spool = mounts.get("/var/lib/claude-telemetry/hook-handoff");
    assertThat(agent.getVolumeMounts()).noneMatch(m -> m.getName().equals(spool.getName()));
    assertThat(
            pod.getVolumes().stream()
                .filter(v -> v.getName().equals(spool.getName()))
                .findFirst()
                .orElseThrow()
                .getEmptyDir())
        .isNotNull();
  }
}
