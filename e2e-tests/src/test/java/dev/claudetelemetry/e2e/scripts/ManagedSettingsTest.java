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
  void everyHandlerShouldRunOneOfThePodsScriptsWithoutAShell() throws IOException {
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
              // Without args Claude Code 2.1.330 runs `/bin/sh -c <command>`, and sh forks: a
              // second process per hook.
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
}
