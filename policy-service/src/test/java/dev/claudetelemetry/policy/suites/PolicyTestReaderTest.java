package dev.claudetelemetry.policy.suites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudetelemetry.policy.rules.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The policy test format: what a case becomes, every malformed file refused with where and why, and
 * random mutations of the shipped files read or refused, never anything else.
 */
class PolicyTestReaderTest {

  static List<PolicyTestCase> parse(String yaml) throws PolicyTestFileException {
    return PolicyTestReader.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldBuildBashFileAndInputCasesWithTheDefaults() throws PolicyTestFileException {
    List<PolicyTestCase> cases =
        parse(
            """
            cases:
              - {bash: "rm -rf /", expect: deny, rule: rm-recursive-outside-workspace}
              - {bash: "ls", cwd: /srv, home: /root, expect: none}
              - {tool: NotebookEdit, path: /x.ipynb, expect: ask}
              - {tool: mcp__fs__read_file, input: {path: /etc/passwd}, expect: allow}
            """);

    assertThat(cases).hasSize(4);
    assertThat(cases.get(0).where()).isEqualTo("t.yaml#0");
    assertThat(cases.get(0).call().tool()).isEqualTo("Bash");
    assertThat(cases.get(0).call().command()).isEqualTo("rm -rf /");
    assertThat(cases.get(0).call().cwd()).isEqualTo(PolicyTestReader.DEFAULT_CWD);
    assertThat(cases.get(0).call().transcriptPath())
        .startsWith("/home/claude-user/.claude/projects/");
    assertThat(cases.get(0).expect()).isEqualTo(Verdict.DENY);
    assertThat(cases.get(0).rule()).isEqualTo("rm-recursive-outside-workspace");
    assertThat(cases.get(1).call().cwd()).isEqualTo("/srv");
    assertThat(cases.get(1).call().transcriptPath()).startsWith("/root/.claude/projects/");
    assertThat(cases.get(1).rule()).isNull();
    assertThat(cases.get(2).call().input().get("notebook_path").asText()).isEqualTo("/x.ipynb");
    assertThat(cases.get(3).call().input().get("path").asText()).isEqualTo("/etc/passwd");
    assertThat(cases.get(3).expect()).isEqualTo(Verdict.ALLOW);
  }

  @Test
  void shouldRefuseMalformedFilesSayingWhereAndWhy() {
    assertRefused("", "a mapping with 'cases:'");
    assertRefused("- {bash: ls, expect: none}", "a mapping with 'cases:'");
    assertRefused("cases: []", "non-empty list");
    assertRefused("cases:\n  - {bash: ls, expect: none}\ncase: []", "unknown key 'case'");
    assertRefused("cases:\n  - {bash: ls}", "t.yaml#0: 'expect' is missing");
    assertRefused("cases:\n  - {bash: ls, expect: block}", "must be none, allow, ask or deny");
    assertRefused("cases:\n  - {bash: ls, expcet: none}", "t.yaml#0: unknown key 'expcet'");
    assertRefused("cases:\n  - {expect: none}", "either 'bash' or 'tool'");
    assertRefused("cases:\n  - {bash: ls, tool: Read, expect: none}", "either 'bash' or 'tool'");
    assertRefused("cases:\n  - {bash: ls, path: /x, expect: none}", "no 'path' or 'input'");
    assertRefused("cases:\n  - {tool: X, path: /x, input: {}, expect: none}", "not both");
    assertRefused("cases:\n  - {tool: X, input: [1], expect: none}", "'input' must be a mapping");
    assertRefused("cases:\n  - {bash: [ls], expect: none}", "'bash' must be a string");
    assertRefused("cases:\n  - {bash: ls, cwd: rel, expect: none}", "absolute path");
    assertRefused("cases:\n  - 3", "a case is a mapping");
    assertRefused("cases: {bash: [", "not valid YAML");
  }

  @Test
  void shouldRefuseOversizedFilesAndAliasBombs() {
    byte[] big = new byte[PolicyTestReader.MAX_FILE_BYTES + 1];
    assertThatThrownBy(() -> PolicyTestReader.parse("big.yaml", big))
        .isInstanceOf(PolicyTestFileException.class)
        .hasMessageContaining("more than the limit");
    StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 80; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    assertThatThrownBy(() -> parse(bomb.toString())).isInstanceOf(PolicyTestFileException.class);
  }

  @Test
  void shouldReadOrRefuseEveryRandomMutationOfTheShippedFiles() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("../policies/tests"))) {
      for (Path file : files.sorted().toList()) {
        seeds.add(Files.readAllBytes(file));
      }
    }
    String alphabet = "{}[]:,-#&*!|>'\"\\\n\t ?%@`~";
    for (int i = 0; i < 1500; i++) {
      byte[] bytes = seeds.get(random.nextInt(seeds.size())).clone();
      int edits = 1 + random.nextInt(8);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(bytes.length);
        bytes[at] =
            random.nextBoolean()
                ? (byte) alphabet.charAt(random.nextInt(alphabet.length()))
                : (byte) random.nextInt(256);
      }
      try {
        PolicyTestReader.parse("fuzz.yaml", bytes);
      } catch (PolicyTestFileException expected) {
        assertThat(expected.getMessage()).startsWith("fuzz.yaml");
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + seed + ", input " + i + ": " + e, e);
      }
    }
  }

  private static void assertRefused(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(PolicyTestFileException.class)
        .hasMessageContaining(message);
  }
}
