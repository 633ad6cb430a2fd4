package dev.claudetelemetry.e2e.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulatedPodTest {

  @Test
  void shouldInstallThePodFilesAndServiceNamesOnlyInsideItsNamespaces(@TempDir Path dir)
      throws Exception {
    String hostHosts = Files.readString(Path.of("/etc/hosts"));
    boolean hostHadManagedSettings = Files.exists(Path.of("/etc/claude-code"));
    long holder;
    try (EmulatedPod pod =
        EmulatedPod.start(dir.resolve("pod"), "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"bob\"}}")) {
      holder = pod.holderPid();
      Duration t = Duration.ofSeconds(10);
      Path k8s = RepoPaths.root().resolve("k8s/claude-code");
      assertThat(pod.exec(List.of("cat", "/etc/claude-code/managed-settings.json"), t))
          .isEqualTo(Files.readString(k8s.resolve("managed-settings.json")));
      assertThat(
              pod.exec(List.of("cat", "/etc/claude-code/managed-settings.d/50-identity.json"), t))
          .contains("\"bob\"");
      // The hook client is a binary: compared by digest.
      assertThat(pod.exec(List.of("sha256sum", "/opt/claude-telemetry/bin/claude-guard"), t))
          .startsWith(sha256(k8s.resolve("bin/claude-guard")) + " ");
      assertThat(
              pod.exec(
                  List.of("getent", "hosts", "hook-ingest.claude-telemetry.svc.cluster.local"), t))
          .startsWith("10.96.0.10 ");
      assertThatThrownBy(
              () ->
                  pod.exec(
                      List.of("sh", "-c", "echo x >> /opt/claude-telemetry/bin/claude-guard"), t))
          .hasMessageContaining("Read-only file system");
      assertThatThrownBy(
              () ->
                  pod.exec(
                      List.of("touch", "/etc/claude-code/managed-settings.d/99-agent.json"), t))
          .hasMessageContaining("Read-only file system");
      // Only the pod's own loopback: nothing of the host's network is reachable from inside.
      assertThat(pod.exec(List.of("ip", "-o", "link"), t).lines()).hasSize(1);
    }
    assertThat(Files.readString(Path.of("/etc/hosts"))).isEqualTo(hostHosts);
    assertThat(Files.exists(Path.of("/etc/claude-code"))).isEqualTo(hostHadManagedSettings);
    assertThat(ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
