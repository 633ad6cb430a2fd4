package dev.claudetelemetry.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.rules.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --bash} and {@code check --tool}: what an operator sees for one call. */
class ExplainCommandTest {

  final CapturedCheck command = new CapturedCheck();

  String out() {
    return command.out();
  }

  @Test
  void shouldShowTheCommandsFoundAfterUnwrappingAndTheDecidingRule() {
    int exit =
        command.run(
            List.of(
                "--bash", "echo 'rm -rf ~' | sh", "--policy", "../policies/default-policy.yaml"));

    assertThat(exit).isZero();
    assertThat(out())
        .contains("analysis  complete")
        .contains("argv    [\"echo\",\"rm -rf ~\"]")
        .contains("argv    [\"rm\",\"-rf\",\"~\"]")
        .contains("depth 1")
        .contains("stdin from echo")
        .contains("path    ~ -> /home/claude-user (write)")
        .contains("matched   rm-recursive-outside-workspace (deny)")
        .contains("verdict   deny")
        .contains("rule      rm-recursive-outside-workspace")
        .contains("reason    Blocked by policy rule rm-recursive-outside-workspace");
  }

  @Test
  void shouldSayWhenNoRuleDecides() {
    assertThat(command.run(List.of("--bash", "ls -la", "--cwd", "/home/claude-user/workspace")))
        .isZero();
    assertThat(out())
        .contains("argv    [\"ls\",\"-la\"]")
        .contains("matched   no rule")
        .contains("verdict   none")
        .contains("its own permission system applies");
  }

  @Test
  void shouldShowDryRunMatchesApartFromTheDecision(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, Policies.shippedWithDryRunRule());

    assertThat(command.run(List.of("--bash", "ls -la", "--policy", policy.toString()))).isZero();
    assertThat(out())
        .contains("matched   list-hidden-files (deny, dryrun: not enforced): 'ls -la'")
        .contains("verdict   none")
        .contains(
            "dryrun    list-hidden-files would have answered deny: Would have been blocked by"
                + " policy rule list-hidden-files (dry run, not enforced)");
  }

  @Test
  void shouldNameWhatTheGuardCannotSee() {
    assertThat(command.run(List.of("--bash", "bash < install.sh"))).isZero();
    assertThat(out())
        .contains("unseen    ")
        .contains("install.sh")
        .contains("verdict   ask")
        .contains("rule      shell-opaque");
  }

  @Test
  void shouldJudgeAToolCallFromItsJsonInput() {
    int exit =
        command.run(
            List.of(
                "--tool",
                "Read",
                "--input",
                "{\"file_path\":\"/home/claude-user/.ssh/id_ed25519\"}"));

    assertThat(exit).isZero();
    assertThat(out())
        .contains("call      PreToolUse Read")
        .contains("path    /home/claude-user/.ssh/id_ed25519")
        .contains("verdict   deny")
        .contains("rule      ssh-private-keys");
  }

  @Test
  void shouldJudgeAnMcpToolAsTheBuiltInToolItsArgumentsAmountTo() {
    command.run(
        List.of("--tool", "mcp__fs__read_file", "--input", "{\"path\":\"/workspace/.env\"}"));

    assertThat(out()).contains("judged as").contains("verdict   deny");
  }

  @Test
  void shouldRefuseBadInputWithUsage() {
    assertThat(command.run(List.of("--tool", "Read", "--input", "{not json"))).isEqualTo(2);
    assertThat(out()).contains("--input is not JSON").contains("usage:");
    command.reset();
    assertThat(command.run(List.of("--bash", "ls", "--tool", "Read"))).isEqualTo(2);
    assertThat(command.run(List.of("--bash", "ls", "--cwd", "relative"))).isEqualTo(2);
    assertThat(command.run(List.of("--bash"))).isEqualTo(2);
    assertThat(out()).contains("give either --bash or --tool").contains("absolute");
  }
}
