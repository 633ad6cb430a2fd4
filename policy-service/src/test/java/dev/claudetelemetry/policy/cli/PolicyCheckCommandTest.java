package dev.claudetelemetry.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCheckCommandTest {

  final CapturedCheck command = new CapturedCheck();

  String out() {
    return command.out();
  }

  @Test
  void shouldAcceptShippedPolicyAndJudgeRecordedHookInputs() {
    int exit =
        command.run(
            List.of(
                "../policies/default-policy.yaml",
                "../testdata/claude-code/hooks/PreToolUse-Read.json",
                "../testdata/claude-code/hooks/PreToolUse-Bash.json"));

    assertThat(exit).isZero();
    assertThat(out())
        .contains("OK ../policies/default-policy.yaml")
        .contains("version 2026-12-07.1")
        .contains("all pass")
        .contains("PreToolUse-Read.json: deny by secret-env-files")
        .contains("PreToolUse-Bash.json: none");
  }

  @Test
  void shouldFailWhenASampleExpectationDoesNotHold(@TempDir Path dir) throws IOException {
    String input = Files.readString(Path.of("../testdata/claude-code/hooks/PreToolUse-Bash.json"));
    Files.writeString(
        dir.resolve("a-expect-deny.json"), "{\"expect\":\"deny\",\"input\":" + input + "}");
    Files.writeString(
        dir.resolve("b-expect-none.json"), "{\"expect\":\"none\",\"input\":" + input + "}");

    int exit = command.run(List.of("../policies/default-policy.yaml", dir.toString()));

    assertThat(exit).isEqualTo(1);
    assertThat(out())
        .contains("FAIL " + dir.resolve("a-expect-deny.json") + ": none (expected deny)")
        .contains("ok   " + dir.resolve("b-expect-none.json"))
        .contains("1 sample(s) failed");
  }

  @Test
  void shouldRefuseBrokenPolicyWithReasons(@TempDir Path dir) throws IOException {
    Path broken = dir.resolve("policy.yaml");
    Files.writeString(
        broken,
        Files.readString(Path.of("../policies/default-policy.yaml"))
            .replace("        - cat .env.example\n", "        - cat .env\n"));

    int exit = command.run(List.of(broken.toString()));

    assertThat(exit).isEqualTo(1);
    assertThat(out())
        .contains("REFUSED")
        .contains(
            "rule secret-env-files: example cat .env is listed as one the rule must not match, but the rule matches it");
  }

  @Test
  void shouldExplainUsage() {
    assertThat(command.run(List.of())).isEqualTo(2);
    assertThat(out()).contains("usage:");
  }
}
