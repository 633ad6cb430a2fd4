package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The decision recorded with a guarded event and forwarded to transcript-service
 * (docs/contracts.md). {@code verdict} is what the policy decided: none (no rule decided, or the
 * guard failed open), allow, ask or deny; in audit mode Claude Code got no decision regardless.
 * {@code dryrun} lists the policy's dry-run rules that matched; omitted when none did.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GuardDecision(
    String verdict,
    String ruleId,
    String mode,
    String source,
    String reason,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DryRunMatch> dryrun) {

  public GuardDecision {
    dryrun = dryrun == null ? List.of() : List.copyOf(dryrun);
  }

  public GuardDecision(String verdict, String ruleId, String mode, String source, String reason) {
    this(verdict, ruleId, mode, source, reason, List.of());
  }
}
