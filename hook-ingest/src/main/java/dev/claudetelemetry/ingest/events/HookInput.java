package dev.claudetelemetry.ingest.events;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The fields of a Claude Code hook input that hook-ingest acts on, plus the whole input as received
 * (forwarded verbatim). Only {@code hookEventName} and {@code sessionId} are always present.
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
    ObjectNode json) {

  public boolean isGuarded() {
    return "PreToolUse".equals(hookEventName) || "PermissionRequest".equals(hookEventName);
  }
}
