package dev.claudetelemetry.e2e.claude;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.e2e.fakeapi.RecordedRequest.ToolResult;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What carries from one Bash tool call to the next in one session of the real CLI, and what the
 * PreToolUse hook input says about it. The guard judges each call on its own: relative paths
 * against the hook input's {@code cwd}, {@code $TMPDIR} as the managed settings pin it. That holds
 * because a {@code cd} that carries shows in the next input's {@code cwd}, and {@code export} does
 * not carry; the one way to carry variables, a SessionStart hook writing {@code CLAUDE_ENV_FILE},
 * is a hook of the agent's own settings, which the pod's managed settings switch off ({@code
 * allowManagedHooksOnly}).
 */
class BashToolStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldCarryADirectoryInsideTheProjectShowItInTheHookInputAndCarryNoVariable()
      throws Exception {
    Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bashstate");
    Path home = root.resolve("home");
    Path workspace = Files.createDirectories(root.resolve("workspace"));
    Path sub = Files.createDirectories(workspace.resolve("sub"));
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    Path out = Files.createDirectories(root.resolve("out"));
    Path recorder =
        script(
            root,
            "record-hook-input.sh",
            "cat >> '" + out + "/hooks.jsonl'\n" + "echo >> '" + out + "/hooks.jsonl'\n");
    Files.createDirectories(home.resolve(".claude"));
    Files.writeString(
        home.resolve(".claude/settings.json"),
        """
        {"hooks": {"PreToolUse": [{"matcher": "Bash",
          "hooks": [{"type": "command", "command": "%s"}]}]}}
        """
            .formatted(recorder));
    List<ToolResult> results;
    try (FakeMessagesApi api = FakeMessagesApi.start()) {
      api.script(
          "state",
          List.of(
              Turn.bash(
                  "cd '%s' && export CARRIED=yes TMPDIR='%s' && SHELL_VAR=yes"
                      .formatted(elsewhere, elsewhere)),
              Turn.bash(
                  "pwd > '%s/pwd1.txt'; echo \"$CARRIED|$TMPDIR|$SHELL_VAR\" > '%s/env1.txt'"
                      .formatted(out, out)),
              Turn.bash("cd sub && export CARRIED=yes"),
              Turn.bash(
                  "pwd > '%s/pwd2.txt'; echo \"$CARRIED\" > '%s/env2.txt'".formatted(out, out)),
              Turn.finalText("done")));
      ClaudeResult result =
          ClaudeCli.run(
              ClaudeCli.Run.of(
                  home, workspace, api.baseUrl(), FakeMessagesApi.tag("state") + " go"));
      assertThat(result.exitCode()).as(result.toString()).isZero();
      results = api.toolResults("state");
    }
    // A cd out of the project is undone after the call; one inside it carries.
    assertThat(results.get(0).content()).contains("Shell cwd was reset to " + workspace);
    assertThat(read(out, "pwd1.txt")).isEqualTo(workspace.toString());
    assertThat(read(out, "pwd2.txt")).isEqualTo(sub.toString());
    // No exported or shell variable reaches the next call, TMPDIR included.
    assertThat(read(out, "env1.txt")).isEqualTo("||");
    assertThat(read(out, "env2.txt")).isEmpty();
    // The hook input's cwd is where the call runs: after the carried cd, the subdirectory.
    List<String> cwds = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("hooks.jsonl"))) {
      if (!line.isBlank()) {
        cwds.add(JSON.readTree(line).path("cwd").asText());
      }
    }
    assertThat(cwds)
        .containsExactly(
            workspace.toString(), workspace.toString(), workspace.toString(), sub.toString());
  }

  @Test
  void shouldSourceOnlyTheEnvFileOfASessionStartHookNotOneTheAgentWrites() throws Exception {
    Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "envfile");
    Path home = root.resolve("home");
    Path workspace = Files.createDirectories(root.resolve("workspace"));
    Path out = Files.createDirectories(root.resolve("out"));
    Path starter =
        script(
            root,
            "session-start.sh",
            "echo 'export TMPDIR=/from-session-start-hook' >> \"$CLAUDE_ENV_FILE\"\n");
    Files.createDirectories(home.resolve(".claude"));
    Files.writeString(
        home.resolve(".claude/settings.json"),
        """
        {"env": {"TMPDIR": "/from-settings-env", "LATER": ""},
         "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "%s"}]}]}}
        """
            .formatted(starter));
    try (FakeMessagesApi api = FakeMessagesApi.start()) {
      api.script(
          "envfile",
          List.of(
              // The agent appends to the session's env directory itself, as the hook did.
              Turn.bash(
                  "for f in ~/.claude/session-env/*/*; do echo 'export LATER=agent' >> \"$f\"; done;"
                      + " echo \"$TMPDIR\" > '%s/tmpdir1.txt'".formatted(out)),
              Turn.bash("echo \"$TMPDIR|$LATER\" > '%s/tmpdir2.txt'".formatted(out)),
              Turn.finalText("done")));
      ClaudeResult result =
          ClaudeCli.run(
              ClaudeCli.Run.of(
                  home, workspace, api.baseUrl(), FakeMessagesApi.tag("envfile") + " go"));
      assertThat(result.exitCode()).as(result.toString()).isZero();
    }
    // The hook's env file wins over settings env in every Bash call: why the pod allows managed
    // hooks only.
    assertThat(read(out, "tmpdir1.txt")).isEqualTo("/from-session-start-hook");
    // What the agent adds to that file during the session does not reach its next call.
    assertThat(read(out, "tmpdir2.txt")).isEqualTo("/from-session-start-hook|");
  }

  private static Path script(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "exit 0\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static String read(Path dir, String name) throws IOException {
    return Files.readString(dir.resolve(name)).strip();
  }
}
