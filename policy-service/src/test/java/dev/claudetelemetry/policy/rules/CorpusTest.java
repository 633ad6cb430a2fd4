package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every labelled case under src/test/resources/corpus, judged by the shipped policy. */
class CorpusTest {

  static final Path CORPUS = Path.of("src/test/resources/corpus");
  private static final Policy POLICY = Policies.shipped();
  private static final PolicyEvaluator EVALUATOR = Policies.evaluator();

  record Case(String name, ToolCall call, String expect, String rule) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(CORPUS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        JsonNode root = yaml.readTree(file.toFile());
        int index = 0;
        for (JsonNode node : root.path("cases")) {
          String cwd = node.path("cwd").asText(Policies.WORKSPACE);
          ToolCall call;
          String label;
          if (node.has("bash")) {
            call = Policies.bash(node.get("bash").asText(), cwd);
            label = node.get("bash").asText();
          } else if (node.has("input")) {
            String tool = node.path("tool").asText();
            call =
                new ToolCall(
                    "PreToolUse", tool, node.get("input"), cwd, Policies.TRANSCRIPT, "default");
            label = tool + " " + node.get("input");
          } else {
            String tool = node.path("tool").asText();
            call = Policies.file(tool, node.path("path").asText());
            label = tool + " " + node.path("path").asText();
          }
          cases.add(
              new Case(
                  file.getFileName()
                      + "#"
                      + index++
                      + " "
                      + label.replace('\n', ' ')
                      + " -> "
                      + node.path("expect").asText(),
                  call,
                  node.path("expect").asText(),
                  node.path("rule").asText(null)));
        }
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldJudgeAsLabelled(Case c) {
    Decision decision = EVALUATOR.evaluate(POLICY, c.call());

    assertThat(decision.verdict().wireName())
        .as("verdict (reason: %s)", decision.reason())
        .isEqualTo(c.expect());
    if (c.rule() != null) {
      assertThat(decision.ruleId()).isEqualTo(c.rule());
      assertThat(decision.reason()).contains(c.rule()).contains("Instead");
    }
  }

  @Test
  void shouldHoldAtLeastTwoHundredCasesInAllWithEachVerdictAndEveryShippedRule()
      throws IOException {
    List<Case> cases = cases();

    assertThat(cases).hasSizeGreaterThanOrEqualTo(200);
    assertThat(cases).extracting(Case::expect).contains("none", "ask", "deny");
    assertThat(cases.stream().filter(c -> c.rule() != null).map(Case::rule).distinct())
        .as("every shipped rule has corpus cases")
        .containsAll(POLICY.rules().stream().map(Rule::id).toList());
  }
}
