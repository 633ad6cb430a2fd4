package dev.claudetelemetry.policy.decisions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer to one hook input (docs/contracts.md): what Claude Code reads, plus what the policy
 * decided.
 *
 * @param hookSpecificOutput Claude Code's hook output; omitted when Claude Code gets no decision
 *     (no rule decided, audit mode, or a PermissionRequest the user should answer)
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
   * @param verdict what the policy decided, also in audit mode: none, allow, ask or deny
   * @param ruleId the deciding rule, {@code null} when none decided
   * @param reason the decision's reason, also in audit mode (where Claude Code does not see it);
   *     omitted when no rule decided
   * @param dryrun the rules in {@code enforcement: dryrun} that matched, with what each would have
   *     decided; they took no part in {@code verdict}. Omitted when none matched
   */
  public record PolicyVerdict(
      String verdict,
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("ruleId") String ruleId,
      String mode,
      String version,
      String sha256,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DryRun> dryrun) {}

  /**
   * @param ruleId the dry-run rule that matched
   * @param verdict what it would have decided: ask or deny
   * @param reason the reason it would have given
   */
  public record DryRun(String ruleId, String verdict, String reason) {}
}
