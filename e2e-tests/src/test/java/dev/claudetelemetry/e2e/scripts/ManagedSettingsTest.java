package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handler shapes of k8s/claude-code/managed-settings.json that the sessions in
 * ClaudeCodePodTest rely on without showing which one broke: each is checked here on its own.
 */
class ManagedSettingsTest {

  private static final String BIN = "/opt/claude-telemetry/bin/";

  private static JsonNode settings() throws IOException {
    return new ObjectMapper()
        .readTree(
            Files.readString(RepoPaths.root().resolve("k8s/claude-code/managed-settings.json")));
  }

  private static List<JsonNode> handlers(JsonNode settings) {
    List<JsonNode> handlers = new ArrayList<>();
    settings
        .path("hooks")
        .forEach(groups -> groups.forEach(group -> group.path("hooks").forEach(handlers::add)));
    return handlers;
  }

  @Test
  void everyHandlerShouldRunTheHookClientWithoutAShell() throws IOException {
    List<JsonNode> handlers = handlers(settings());
    assertThat(handlers)
        .hasSizeGreaterThan(25)
        .allSatisfy(
            handler -> {
              assertThat(handler.path("type").asText()).as("%s", handler).isEqualTo("command");
              String command = handler.path("command").asText();
              assertThat(command).as("%s", handler).startsWith(BIN);
              assertThat(PodScript.path(command.substring(BIN.length())))
                  .as("%s", handler)
                  .isExecutable();
              // Without args Claude Code 2.1.330 runs `/bin/sh -c <command>`: a second process
              // per hook, and a dynamically linked one that the agent's env could reach.
              assertThat(handler.path("args").isArray() && handler.path("args").isEmpty())
                  .as("%s has args: []", handler)
                  .isTrue();
            });
  }

  @Test
  void theGuardShouldBlockWhenItFailsAndOnlyManagedHooksShouldRun() throws IOException {
    JsonNode settings = settings();
    assertThat(settings.path("allowManagedHooksOnly").asBoolean()).isTrue();
    JsonNode preToolUse = settings.path("hooks").path("PreToolUse");
    assertThat(preToolUse).hasSize(1);
    assertThat(preToolUse.get(0).path("matcher").asText()).isEqualTo("*");
    JsonNode guard = preToolUse.get(0).path("hooks");
    assertThat(guard).hasSize(1);
    assertThat(guard.get(0).path("command").asText()).isEqualTo(BIN + "claude-guard");
    assertThat(guard.get(0).path("onFailure").asText()).isEqualTo("block");
    assertThat(guard.get(0).path("async").asBoolean(false)).isFalse();
  }

  /**
   * Defence in depth behind the hook client (which reads no variable at all): the managed env pins
   * what changes a dynamically linked program or bash before it runs, so the agent's settings env
   * cannot put it under Claude Code's own children. Not pinned: LD_SHOW_AUXV and
   * LD_TRACE_LOADED_OBJECTS, which glibc's loader acts on when merely present (even empty, every
   * program would print its auxiliary vector, or list its libraries instead of running).
   */
  @Test
  void theManagedEnvShouldPinTheLoaderLibcAndShellVariables() throws IOException {
    JsonNode env = settings().path("env");
    for (String name :
        List.of(
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "LD_AUDIT",
            "LD_DEBUG",
            "LD_DEBUG_OUTPUT",
            "LD_PROFILE",
            "LD_ORIGIN_PATH",
            "GLIBC_TUNABLES",
            "GCONV_PATH",
            "GETCONF_DIR",
            "HOSTALIASES",
            "RES_OPTIONS",
            "RESOLV_HOST_CONF",
            "LOCPATH",
            "NIS_PATH",
            "NLSPATH",
            "MALLOC_TRACE",
            "MALLOC_CHECK_",
            "MALLOC_PERTURB_",
            "TMPDIR",
            "TZDIR",
            "BASH_ENV",
            "ENV",
            "FUNCNEST",
            "BASH_XTRACEFD",
            "GLOBIGNORE")) {
      assertThat(env.path(name).isTextual()).as("%s pinned", name).isTrue();
      assertThat(env.path(name).asText()).as(name).isEmpty();
    }
    // The pod's own search list (what the kubelet writes for namespace claude-telemetry) and
    // bash's own default prompt: an empty value would change what the agent's commands see.
    assertThat(env.path("LOCALDOMAIN").asText())
        .isEqualTo("claude-telemetry.svc.cluster.local svc.cluster.local cluster.local");
    assertThat(env.path("PS4").asText()).isEqualTo("+ ");
    assertThat(env.has("LD_SHOW_AUXV")).isFalse();
    assertThat(env.has("LD_TRACE_LOADED_OBJECTS")).isFalse();
  }
}
