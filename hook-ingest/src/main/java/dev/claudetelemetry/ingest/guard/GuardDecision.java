package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The decision recorded with a guarded event and forwarded to transcript-service
 * (docs/contracts.md). {@code verdict} is what the policy decided: none (no rule decided, or the
 * guard failed open), allow, ask or deny; in audit mode Claude Code got no decision regardless.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GuardDecision(
    String verdict, String ruleId, String mode, String source, String reason) {}
