package dev.claudetelemetry.policy.decisions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to one hook input (docs/contracts.md): what Claude Code reads, plus what the policy
 * decided.
 *
 * @param hookSpecificOutput Claude Code's hook output; omitted for a PermissionRequest the user
 *     should answer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecisionResponse(Object hookSpecificOutput, PolicyVerdict policy) {

  /** PreToolUse hook output. */
  public record PreToolUseOutput(
      String hookEventName, String permissionDecision, String permissionDecisionReason) {}

  /** PermissionRequest hook output. */
  public record PermissionRequestOutput(String hookEventName, Behavior decision) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Behavior(String behavior, String message) {}

  /**
   * @param verdict what the policy decided, also in audit mode
   * @param ruleId the deciding rule, {@code null} when none matched
   */
  public record PolicyVerdict(
      String verdict,
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("ruleId") String ruleId,
      String mode,
      String version,
      String sha256) {}
}
