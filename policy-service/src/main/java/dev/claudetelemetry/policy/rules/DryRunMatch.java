package dev.claudetelemetry.policy.rules;

/**
 * A rule in {@code enforcement: dryrun} that matched a call: what it would have decided had it been
 * enforced.
 *
 * @param ruleId the dry-run rule
 * @param verdict ask or deny, what the rule would have answered
 * @param reason the reason it would have given (names the rule, quotes the value)
 */
public record DryRunMatch(String ruleId, Verdict verdict, String reason) {}
