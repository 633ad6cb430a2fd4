package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity drop-in a workspace gets: the init container's command, as rendered, run here with
 * sh and jq (both in the claude-code image) against a temporary directory instead of the pod's
 * in-memory volume.
 */
class IdentityDropInTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode runIdentityInitContainer(
      Path dir, String user, String email, String token) throws Exception {
    StatefulSet workspace =
        RenderedChart.render().object(StatefulSet.class, "claude-code-developer");
    Container init = workspace.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    VolumeMount mount = init.getVolumeMounts().get(0);
    List<String> command = new ArrayList<>(init.getCommand());
    String script =
        command.remove(command.size() - 1).replace(mount.getMountPath() + "/", dir + "/");
    command.add(script);

    ProcessBuilder process = new ProcessBuilder(command).redirectErrorStream(true);
    process.environment().put("CLAUDE_TELEMETRY_USER", user);
    process.environment().put("USER_EMAIL", email);
    process.environment().put("CLAUDE_TELEMETRY_TOKEN", token);
    Process running = process.start();
    assertThat(running.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(running.exitValue())
        .as(new String(running.getInputStream().readAllBytes()))
        .isZero();
    return JSON.readTree(dir.resolve("50-identity.json").toFile());
  }

  @Test
  void shouldWriteTheDropInTheScriptsAndCollectorExpect(@TempDir Path dir) throws Exception {
    JsonNode dropIn = runIdentityInitContainer(dir, "alice", "alice@example.com", "t0k3n");

    JsonNode example = JSON.readTree(RepoFiles.text("k8s/claude-code/50-identity.json.example"));
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = example.path("env").fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    assertThat(dropIn.path("env").properties())
        .extracting(java.util.Map.Entry::getKey)
        .containsExactlyElementsOf(keys);
    assertThat(dropIn.at("/env/CLAUDE_TELEMETRY_USER").asText()).isEqualTo("alice");
    assertThat(dropIn.at("/env/CLAUDE_TELEMETRY_TOKEN").asText()).isEqualTo("t0k3n");
    assertThat(dropIn.at("/env/OTEL_RESOURCE_ATTRIBUTES").asText())
        .isEqualTo("user.id=alice,user.email=alice@example.com");
    // The mode itself: Files.isWritable is true for root whatever the mode says.
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("50-identity.json"))))
        .as("written read-only (0444)")
        .isEqualTo("r--r--r--");
  }

  @Test
  void shouldEscapeWhatWouldBreakTheJson(@TempDir Path dir) throws Exception {
    JsonNode dropIn = runIdentityInitContainer(dir, "bob", "bob\"}@example.com", "a\\b\"c");

    assertThat(dropIn.at("/env/CLAUDE_TELEMETRY_TOKEN").asText()).isEqualTo("a\\b\"c");
    assertThat(dropIn.at("/env/OTEL_RESOURCE_ATTRIBUTES").asText())
        .endsWith("user.email=bob\"}@example.com");
  }
}
