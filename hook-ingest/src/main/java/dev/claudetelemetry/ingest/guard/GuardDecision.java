package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The decision recorded with a guarded event and forwarded to transcript-service
 * (docs/contracts.md). {@code verdict} is what the policy decided (in audit mode Claude Code was
 * told allow regardless).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GuardDecision(
    String verdict, String ruleId, String mode, String source, String reason) {}
