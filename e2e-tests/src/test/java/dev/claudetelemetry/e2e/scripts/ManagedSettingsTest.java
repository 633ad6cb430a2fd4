package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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

  private static java.nio.file.Path settingsFile() {
    return RepoPaths.root().resolve("k8s/claude-code/managed-settings.json");
  }

  private static JsonNode settings() throws IOException {
    return new ObjectMapper().readTree(Files.readString(settingsFile()));
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
    // The scratch emptyDir, and what the guard's policy takes $TMPDIR to be: were it "" in the
    // session, `rm -rf $TMPDIR/home` would delete /home while the guard judges /tmp/home.
    assertThat(env.path("TMPDIR").asText())
        .isEqualTo("/tmp")
        .isEqualTo(
            new ObjectMapper(new YAMLFactory())
                .readTree(RepoPaths.root().resolve("policies/default-policy.yaml").toFile())
                .path("settings")
                .path("environment")
                .path("TMPDIR")
                .asText());
    assertThat(env.has("LD_SHOW_AUXV")).isFalse();
    assertThat(env.has("LD_TRACE_LOADED_OBJECTS")).isFalse();
  }

  /**
   * A key written twice is no error to JSON.parse, which keeps the last: the file would pin what
   * its reader does not see (a reviewer reads the first). Claude Code and the hook client read this
   * file.
   */
  @Test
  void theManagedSettingsShouldNameEveryKeyOnce() throws IOException {
    ObjectMapper strict = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    assertThat(strict.readTree(settingsFile().toFile()).path("env").size()).isGreaterThan(40);

    String twice = "{\"env\": {\"TMPDIR\": \"/tmp\", \"TMPDIR\": \"\"}}";
    assertThatThrownBy(() -> strict.readTree(twice))
        .isInstanceOf(JsonParseException.class)
        .hasMessageContaining("Duplicate field 'TMPDIR'");
  }
}
