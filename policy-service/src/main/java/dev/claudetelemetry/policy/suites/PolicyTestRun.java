package dev.claudetelemetry.policy.suites;

import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Judges test cases with a policy, the way the service would judge the same calls. */
public final class PolicyTestRun {

  /** A case the policy judged otherwise than labelled (or that made the evaluation throw). */
  public record Failure(PolicyTestCase testCase, Decision decision, String problem) {}

  private PolicyTestRun() {}

  /** {@code null} when the case holds, else why not. */
  public static Failure check(Policy policy, PolicyEvaluator evaluator, PolicyTestCase c) {
    Decision decision;
    try {
      decision = evaluator.evaluate(policy, c.call());
    } catch (RuntimeException e) {
      return new Failure(c, null, "the evaluation failed: " + e);
    }
    boolean verdictHolds = decision.verdict() == c.expect();
    boolean ruleHolds = c.rule() == null || Objects.equals(c.rule(), decision.ruleId());
    if (verdictHolds && ruleHolds) {
      return null;
    }
    String expected = c.expect().wireName() + (c.rule() == null ? "" : " by " + c.rule());
    String got =
        decision.verdict().wireName()
            + (decision.ruleId() == null ? "" : " by " + decision.ruleId());
    return new Failure(c, decision, "expected " + expected + ", got " + got);
  }

  public static List<Failure> run(
      Policy policy, PolicyEvaluator evaluator, List<PolicyTestCase> cases) {
    List<Failure> failures = new ArrayList<>();
    for (PolicyTestCase c : cases) {
      Failure failure = check(policy, evaluator, c);
      if (failure != null) {
        failures.add(failure);
      }
    }
    return failures;
  }
}
