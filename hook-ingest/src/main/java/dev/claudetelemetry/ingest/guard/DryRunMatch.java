package dev.claudetelemetry.ingest.guard;

/**
 * A policy rule in {@code enforcement: dryrun} that matched the call: what it would have answered
 * (docs/contracts.md, {@code policy.dryrun}). Recorded and counted; it never changes the answer.
 *
 * @param ruleId the rule, a policy rule id
 * @param verdict ask or deny
 * @param reason the reason it would have given
 */
public record DryRunMatch(String ruleId, String verdict, String reason) {}
