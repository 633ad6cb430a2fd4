package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped policy on real files: a symlink in the workspace does not hide what it leads to. */
class SymlinkEvaluationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final PolicyEvaluator evaluator = Policies.evaluator();
  private final Policy policy = Policies.shipped();

  @TempDir Path root;
  private Path home;
  private Path workspace;

  @BeforeEach
  void agentHomeAndWorkspace() throws IOException {
    root = root.toRealPath();
    home = Files.createDirectories(root.resolve("home/agent"));
    Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(home.resolve(".ssh/id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    workspace = Files.createDirectories(root.resolve("workspace"));
    Files.writeString(workspace.resolve("notes.txt"), "hello\n");
    Files.createSymbolicLink(workspace.resolve("key"), home.resolve(".ssh/id_rsa"));
    Files.createSymbolicLink(workspace.resolve("dotssh"), home.resolve(".ssh"));
    // Dangling: ~/.bashrc does not exist yet, appending through the link would create it.
    Files.createSymbolicLink(workspace.resolve("rc"), home.resolve(".bashrc"));
  }

  @Test
  void shouldJudgeWhatALinkLeadsTo() {
    assertThat(bash("cat key").ruleId()).isEqualTo("ssh-private-keys");
    assertThat(bash("base64 dotssh/id_rsa").ruleId()).isEqualTo("ssh-private-keys");
    assertThat(read(workspace.resolve("key")).ruleId()).isEqualTo("ssh-private-keys");
  }

  @Test
  void shouldJudgeWhatWritingThroughADanglingLinkWouldCreate() {
    Decision decision = bash("echo 'alias ls=rm' >> rc");

    assertThat(decision.verdict()).isEqualTo(Verdict.ASK);
    assertThat(decision.ruleId()).isEqualTo("shell-startup-files");
  }

  @Test
  void shouldAllowOrdinaryFilesAndLinksThatStayInside() throws IOException {
    Files.createSymbolicLink(workspace.resolve("readme"), workspace.resolve("notes.txt"));

    assertThat(bash("cat notes.txt readme").verdict()).isEqualTo(Verdict.NONE);
    assertThat(read(workspace.resolve("readme")).verdict()).isEqualTo(Verdict.NONE);
  }

  private Decision bash(String command) {
    return evaluator.evaluate(
        policy,
        new ToolCall(
            "PreToolUse",
            "Bash",
            JSON.createObjectNode().put("command", command),
            workspace.toString(),
            transcript(),
            "default"));
  }

  private Decision read(Path file) {
    return evaluator.evaluate(
        policy,
        new ToolCall(
            "PreToolUse",
            "Read",
            JSON.createObjectNode().put("file_path", file.toString()),
            workspace.toString(),
            transcript(),
            "default"));
  }

  private String transcript() {
    return home.resolve(".claude/projects/-workspace/s.jsonl").toString();
  }
}
