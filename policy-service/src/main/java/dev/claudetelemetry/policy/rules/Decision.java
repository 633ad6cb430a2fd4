package dev.claudetelemetry.policy.rules;

/**
 * The policy's answer for one tool call.
 *
 * @param verdict allow, ask or deny
 * @param ruleId the rule that decided, {@code null} when none matched
 * @param reason for the person and the model: names the rule, quotes the offending value, says what
 *     to do instead; {@code null} for allow
 */
public record Decision(Verdict verdict, String ruleId, String reason) {

  public static final Decision ALLOWED = new Decision(Verdict.ALLOW, null, null);
}
