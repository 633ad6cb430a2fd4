package dev.claudetelemetry.policy.decisions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.metrics.PolicyMetrics;
import dev.claudetelemetry.policy.reload.ActivePolicy;
import dev.claudetelemetry.policy.rules.Policies;
import dev.claudetelemetry.policy.rules.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * An exception while a call is judged answers deny with rule {@code evaluation-failed}: a guard
 * that breaks must not wave the call through. No policy the loader accepts is known to make the
 * evaluator throw (that would be a bug to fix), so the test hands the real evaluator a policy the
 * loader would never produce: the shipped one without its settings.
 */
class EvaluationFailureTest {

  @Test
  void shouldDenyWithEvaluationFailedAndCountItWhenTheEvaluatorThrows() {
    Policy shipped = Policies.shipped();
    Policy broken =
        new Policy(
            shipped.name(),
            shipped.version(),
            shipped.mode(),
            null,
            shipped.rules(),
            shipped.source(),
            shipped.sha256(),
            shipped.origin(),
            shipped.loadedAt());
    ActivePolicy active =
        new ActivePolicy() {
          @Override
          public Policy get() {
            return broken;
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DecisionService service =
        new DecisionService(active, Policies.evaluator(), new PolicyMetrics(registry));

    DecisionResponse response = service.decide(Policies.bash("ls"));

    assertThat(response.policy().verdict()).isEqualTo("deny");
    assertThat(response.policy().ruleId()).isEqualTo(DecisionService.EVALUATION_FAILED_RULE);
    DecisionResponse.PreToolUseOutput output =
        (DecisionResponse.PreToolUseOutput) response.hookSpecificOutput();
    assertThat(output.permissionDecision()).isEqualTo("deny");
    assertThat(output.permissionDecisionReason())
        .contains("failed to evaluate")
        .contains("Instead")
        .contains("platform team");
    assertThat(
            registry
                .get("claude.policy.decisions")
                .tag("decision", "deny")
                .tag("rule", DecisionService.EVALUATION_FAILED_RULE)
                .tag("tool", "Bash")
                .counter()
                .count())
        .isEqualTo(1.0);
  }
}
