package dev.claudetelemetry.ingest.events;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The fields of a Claude Code hook input that hook-ingest acts on, plus the whole input as received
 * (forwarded verbatim). Only {@code hookEventName} and {@code sessionId} are always present; {@code
 * clientDecision} only on a guarded event the pod's guard decided itself ({@link
 * #CLIENT_DECISION}).
 */
public record HookInput(
    String hookEventName,
    String sessionId,
    String toolName,
    String toolUseId,
    String agentId,
    Long durationMs,
    Boolean isInterrupt,
    String source,
    String reason,
    String clientDecision,
    ObjectNode json) {

  /**
   * The member the pod's guard adds to a PreToolUse or PermissionRequest it decided itself because
   * hook-ingest could not be asked, and handed to the pod's sweep: the decision Claude Code was
   * given ({@code deny}, or {@code none} when failing open).
   */
  public static final String CLIENT_DECISION = "claude_telemetry_client_decision";

  public boolean isGuarded() {
    return "PreToolUse".equals(hookEventName) || "PermissionRequest".equals(hookEventName);
  }
}
