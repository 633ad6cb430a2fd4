package dev.claudetelemetry.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check test}: the shipped policy and the generated ConfigMap pass the shipped tests; an
 * edited ConfigMap that weakens a rule fails them, naming the cases.
 */
class TestCommandTest {

  static final String SHIPPED = "../policies/default-policy.yaml";
  static final String CONFIGMAP = "../k8s/policy-configmap.yaml";
  static final String TESTS = "../policies/tests";

  final CapturedCheck command = new CapturedCheck();

  String out() {
    return command.out();
  }

  @Test
  void shouldPassTheShippedTestsWithTheShippedPolicy() {
    int exit = command.run(List.of("test", SHIPPED, TESTS));

    assertThat(exit).as(out()).isZero();
    assertThat(out())
        .contains("ok   ../policies/tests/deletion.yaml:")
        .containsPattern("PASS \\d{3,} cases")
        .doesNotContain("FAIL");
  }

  @Test
  void shouldPassTheShippedTestsWithTheConfigMapFile() {
    int exit = command.run(List.of("test", CONFIGMAP, TESTS));

    assertThat(exit).as(out()).isZero();
    assertThat(out()).contains("policy default version").contains("(" + CONFIGMAP + ")");
  }

  @Test
  void shouldFailWhenAnEditedConfigMapNoLongerDeniesWhatTheTestsSay(@TempDir Path dir)
      throws IOException {
    String configMap = Files.readString(Path.of(CONFIGMAP));
    // The operator turns the fork-bomb rule into an ask: its deny cases now fail.
    String edited =
        configMap.replaceFirst("(?s)(- id: fork-bomb\\n(?:.*?\\n)*?\\s+decision: )deny", "$1ask");
    assertThat(edited).isNotEqualTo(configMap);
    edited = edited.replaceFirst("(?m)^(\\s+)deny:(\\n\\s+- \":\\(\\)\\{)", "$1ask:$2");
    Path file = dir.resolve("edited-configmap.yaml");
    Files.writeString(file, edited);

    int exit = command.run(List.of("test", file.toString(), TESTS));

    assertThat(exit).as(out()).isEqualTo(1);
    assertThat(out())
        .contains("FAIL ../policies/tests/persistence-and-tamper.yaml:")
        .containsPattern("FAIL persistence-and-tamper.yaml#\\d+ :\\(\\)\\{")
        .contains("expected deny by fork-bomb, got ask by fork-bomb")
        .containsPattern("FAIL \\d+ of \\d+ cases");
  }

  @Test
  void shouldReportABrokenTestFileAndFail(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("typo.yaml"), "cases:\n  - {bash: \"rm -rf /\", expcet: deny}\n");

    int exit = command.run(List.of("test", SHIPPED, dir.toString()));

    assertThat(exit).isEqualTo(1);
    assertThat(out()).contains("ERROR " + dir).contains("typo.yaml#0: unknown key 'expcet'");
  }

  @Test
  void shouldRefuseAConfigMapWithoutAPolicyAndGiveUsageWithoutTests(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("cm.yaml");
    Files.writeString(
        file, "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x\n  b: y\nmetadata: {name: x}\n");

    assertThat(command.run(List.of("test", file.toString(), TESTS))).isEqualTo(1);
    assertThat(out()).contains("REFUSED").contains("without a data key 'policy.yaml'");
    assertThat(command.run(List.of("test", SHIPPED))).isEqualTo(2);
  }
}
