package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** One validated, redacted hook event of a batch, ready to store. */
public record HookEventRecord(
    String id,
    Instant receivedAt,
    String user,
    String sessionId,
    String eventName,
    String toolName,
    String toolUseId,
    String agentId,
    JsonNode payload,
    Decision decision,
    boolean redacted,
    String searchText) {

  /**
   * The policy decision hook-ingest took (or its fail mode), as in docs/contracts.md, with what the
   * policy's dry-run rules would have decided (empty when none matched).
   */
  public record Decision(
      String verdict,
      String ruleId,
      String mode,
      String source,
      String reason,
      List<DryRunMatch> dryrun) {

    public Decision {
      dryrun = List.copyOf(dryrun);
    }
  }

  /** A policy rule in dry run that matched: what it would have answered (ask or deny), and why. */
  public record DryRunMatch(String ruleId, String verdict, String reason) {}

  /** Counted in sessions.denials and listed by the audit_denials view (keep the two in step). */
  public boolean isDenial() {
    if (decision == null
        || !("PreToolUse".equals(eventName) || "PermissionRequest".equals(eventName))) {
      return false;
    }
    return ("deny".equals(decision.verdict()) && "enforce".equals(decision.mode()))
        || "fail-closed".equals(decision.source());
  }
}
