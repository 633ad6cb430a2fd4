package dev.claudetelemetry.policy.decisions;

import dev.claudetelemetry.policy.metrics.PolicyMetrics;
import dev.claudetelemetry.policy.reload.ActivePolicy;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.DryRunMatch;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Judges a tool call with the active policy, records the metrics, and shapes Claude Code's answer.
 */
@ApplicationScoped
public class DecisionService {

  static final String EVALUATION_FAILED_RULE = "evaluation-failed";
  private static final Logger LOG = Logger.getLogger(DecisionService.class);

  private final ActivePolicy active;
  private final PolicyEvaluator evaluator;
  private final PolicyMetrics metrics;

  public DecisionService(ActivePolicy active, PolicyEvaluator evaluator, PolicyMetrics metrics) {
    this.active = active;
    this.evaluator = evaluator;
    this.metrics = metrics;
  }

  public DecisionResponse decide(ToolCall call) {
    Policy policy = active.get();
    long start = System.nanoTime();
    Decision decision;
    try {
      decision = evaluator.evaluate(policy, call);
    } catch (RuntimeException e) {
      // A guard that breaks must not wave the call through.
      LOG.errorf(e, "Evaluating a %s call failed; denying it", call.tool());
      decision =
          new Decision(
              Verdict.DENY,
              EVALUATION_FAILED_RULE,
              "The policy guard failed to evaluate this call, so it is blocked. Instead: retry, or ask the platform team to check policy-service.");
    }
    metrics.decision(
        decision.verdict().wireName(),
        decision.ruleId(),
        call.tool(),
        policy.mode().wireName(),
        System.nanoTime() - start);
    for (DryRunMatch match : decision.dryRun()) {
      metrics.dryRunMatch(
          match.verdict().wireName(), match.ruleId(), call.tool(), policy.mode().wireName());
    }
    return respond(call, decision, policy);
  }

  /**
   * Claude Code's answer. No decision ({@code hookSpecificOutput} omitted) when no rule decided, in
   * audit mode, and for a PermissionRequest the policy asks about: in each case Claude Code's own
   * permission mode, allowlists and prompts apply as if the guard were not there.
   */
  static DecisionResponse respond(ToolCall call, Decision decision, Policy policy) {
    DecisionResponse.PolicyVerdict verdict =
        new DecisionResponse.PolicyVerdict(
            decision.verdict().wireName(),
            decision.ruleId(),
            policy.mode().wireName(),
            policy.version(),
            policy.sha256(),
            decision.reason(),
            decision.dryRun().stream()
                .map(
                    match ->
                        new DecisionResponse.DryRun(
                            match.ruleId(), match.verdict().wireName(), match.reason()))
                .toList());
    Verdict effective = policy.mode() == Policy.Mode.AUDIT ? Verdict.NONE : decision.verdict();
    if (effective == Verdict.NONE) {
      return new DecisionResponse(null, verdict);
    }
    if ("PermissionRequest".equals(call.event())) {
      if (effective == Verdict.ASK) {
        return new DecisionResponse(null, verdict);
      }
      DecisionResponse.Behavior behavior =
          new DecisionResponse.Behavior(
              effective.wireName(), effective == Verdict.DENY ? decision.reason() : null);
      return new DecisionResponse(
          new DecisionResponse.PermissionRequestOutput("PermissionRequest", behavior), verdict);
    }
    return new DecisionResponse(
        new DecisionResponse.PreToolUseOutput(
            "PreToolUse", effective.wireName(), decision.reason()),
        verdict);
  }
}
