package dev.claudetelemetry.policy.rules;

/**
 * The policy's answer for one tool call.
 *
 * @param verdict none, allow, ask or deny
 * @param ruleId the rule that decided, {@code null} when none did
 * @param reason for the person and the model: names the rule, quotes the offending value, says what
 *     to do instead; {@code null} when no rule decided
 */
public record Decision(Verdict verdict, String ruleId, String reason) {

  /** No rule decided: Claude Code's own permission system applies. */
  public static final Decision UNDECIDED = new Decision(Verdict.NONE, null, null);
}
