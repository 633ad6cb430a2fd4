package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.suites.PolicyTestCase;
import dev.claudetelemetry.policy.suites.PolicyTestFileException;
import dev.claudetelemetry.policy.suites.PolicyTestReader;
import dev.claudetelemetry.policy.suites.PolicyTestRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every labelled case of the shipped policy's tests (../policies/tests, the one copy that {@code
 * check test} also runs), judged by the shipped policy, one test per case; a deciding rule's reason
 * must also name it and say what to do instead.
 */
class CorpusTest {

  /** Surefire runs in the module directory; the shipped tests live beside the shipped policy. */
  static final Path TESTS = Path.of("../policies/tests");

  private static final Policy POLICY = Policies.shipped();
  private static final PolicyEvaluator EVALUATOR = Policies.evaluator();

  static List<PolicyTestCase> cases() throws PolicyTestFileException {
    return PolicyTestReader.read(TESTS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldJudgeAsLabelled(PolicyTestCase c) {
    PolicyTestRun.Failure failure = PolicyTestRun.check(POLICY, EVALUATOR, c);

    assertThat(failure)
        .as(
            "%s (reason: %s)",
            failure == null ? "" : failure.problem(),
            failure == null || failure.decision() == null ? "" : failure.decision().reason())
        .isNull();
    if (c.rule() != null) {
      assertThat(EVALUATOR.evaluate(POLICY, c.call()).reason())
          .contains(c.rule())
          .contains("Instead");
    }
  }

  @Test
  void shouldHoldAtLeastTwoHundredCasesInAllWithEachVerdictAndEveryShippedRule()
      throws PolicyTestFileException {
    List<PolicyTestCase> cases = cases();

    assertThat(cases).hasSizeGreaterThanOrEqualTo(200);
    assertThat(cases)
        .extracting(PolicyTestCase::expect)
        .contains(Verdict.NONE, Verdict.ASK, Verdict.DENY);
    assertThat(cases.stream().filter(c -> c.rule() != null).map(PolicyTestCase::rule).distinct())
        .as("every shipped rule has test cases")
        .containsAll(POLICY.rules().stream().map(Rule::id).toList());
  }
}
