package dev.claudetelemetry.policy.rules;

import java.util.List;

/**
 * The policy's answer for one tool call.
 *
 * @param verdict none, allow, ask or deny
 * @param ruleId the rule that decided, {@code null} when none did
 * @param reason for the person and the model: names the rule, quotes the offending value, says what
 *     to do instead; {@code null} when no rule decided
 * @param dryRun rules in {@code enforcement: dryrun} that matched, with what each would have
 *     decided; they took no part in {@code verdict}
 */
public record Decision(Verdict verdict, String ruleId, String reason, List<DryRunMatch> dryRun) {

  /** No rule decided: Claude Code's own permission system applies. */
  public static final Decision UNDECIDED = new Decision(Verdict.NONE, null, null);

  public Decision {
    dryRun = List.copyOf(dryRun);
  }

  public Decision(Verdict verdict, String ruleId, String reason) {
    this(verdict, ruleId, reason, List.of());
  }

  Decision withDryRun(List<DryRunMatch> matches) {
    return matches.isEmpty() && dryRun.isEmpty()
        ? this
        : new Decision(verdict, ruleId, reason, matches);
  }
}
