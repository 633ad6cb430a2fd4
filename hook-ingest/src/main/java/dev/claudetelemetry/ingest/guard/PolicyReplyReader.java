package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks policy-service's answer (docs/contracts.md) before anything of it reaches Claude Code.
 * Only the {@code hookSpecificOutput} object is passed on; the {@code policy} block is kept for the
 * record. An answer of the wrong shape is a failure, handled by the fail mode like a timeout.
 */
final class PolicyReplyReader {

  private static final Set<String> PRE_TOOL_USE_DECISIONS = Set.of("allow", "deny", "ask");

  /** What the policy can decide: "none" means no rule decided. */
  private static final Set<String> POLICY_VERDICTS = Set.of("none", "allow", "deny", "ask");

  private static final Set<String> PERMISSION_BEHAVIOURS = Set.of("allow", "deny");

  /** What a dry-run rule can have decided. */
  private static final Set<String> DRY_RUN_VERDICTS = Set.of("ask", "deny");

  /** The policy schema's rule id. */
  private static final Pattern RULE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  static final int MAX_DRY_RUN_MATCHES = 16;

  private final ObjectMapper mapper = new ObjectMapper();

  GuardAnswer read(String hookEventName, byte[] reply) {
    JsonNode root = parse(reply);
    JsonNode policy = root.path("policy");
    JsonNode output = root.get("hookSpecificOutput");
    String policyVerdict = text(policy, "verdict");
    if (output == null) {
      // No hookSpecificOutput is how policy-service gives no decision, so that Claude Code's own
      // permission system applies: no rule decided, audit mode, or a PermissionRequest the policy
      // asks about (the user answers). Anything else without it is not a decision.
      boolean noDecision =
          "none".equals(policyVerdict)
              || ("audit".equals(text(policy, "mode")) && POLICY_VERDICTS.contains(policyVerdict))
              || ("PermissionRequest".equals(hookEventName) && "ask".equals(policyVerdict));
      if (!noDecision) {
        throw new BadAnswer(
            "an answer without hookSpecificOutput must have verdict none, mode audit, or be a"
                + " PermissionRequest's ask");
      }
      return answer(
          JsonNodeFactory.instance.objectNode(),
          policy,
          policyVerdict,
          text(policy, "reason"),
          false);
    }
    if (!(output instanceof ObjectNode hookSpecificOutput)) {
      throw new BadAnswer("hookSpecificOutput is missing or not an object");
    }
    if (!hookEventName.equals(text(hookSpecificOutput, "hookEventName"))) {
      throw new BadAnswer("hookSpecificOutput.hookEventName does not match " + hookEventName);
    }
    String decision;
    String reason;
    if ("PreToolUse".equals(hookEventName)) {
      decision = text(hookSpecificOutput, "permissionDecision");
      if (decision == null || !PRE_TOOL_USE_DECISIONS.contains(decision)) {
        throw new BadAnswer("permissionDecision must be allow, deny or ask");
      }
      reason = text(hookSpecificOutput, "permissionDecisionReason");
    } else {
      JsonNode permission = hookSpecificOutput.path("decision");
      decision = text(permission, "behavior");
      if (decision == null || !PERMISSION_BEHAVIOURS.contains(decision)) {
        throw new BadAnswer("decision.behavior must be allow or deny");
      }
      reason = text(permission, "message");
    }
    ObjectNode hookOutput = JsonNodeFactory.instance.objectNode();
    hookOutput.set("hookSpecificOutput", hookSpecificOutput);
    if (reason == null) {
      reason = text(policy, "reason");
    }
    // The policy's own verdict, when it is one we know.
    String verdict =
        policyVerdict != null && PRE_TOOL_USE_DECISIONS.contains(policyVerdict)
            ? policyVerdict
            : decision;
    return answer(hookOutput, policy, verdict, reason, "deny".equals(decision));
  }

  private static GuardAnswer answer(
      ObjectNode hookOutput, JsonNode policy, String verdict, String reason, boolean denied) {
    // Capped to what transcript-service stores, so one odd answer cannot get its batch refused.
    GuardDecision decision =
        new GuardDecision(
            verdict,
            cap(text(policy, "ruleId"), 256),
            cap(text(policy, "mode"), 32),
            DecisionSource.POLICY.label(),
            cap(reason, 8192),
            dryRun(policy.path("dryrun")));
    return new GuardAnswer(hookOutput, decision, denied);
  }

  /**
   * The dry-run matches worth recording: entries of another shape are left out rather than failing
   * the answer, since they never change what Claude Code is told. Bounded in number and size (what
   * transcript-service stores), and the rule id must look like one, as it becomes a label value.
   */
  private static List<DryRunMatch> dryRun(JsonNode entries) {
    if (!entries.isArray()) {
      return List.of();
    }
    List<DryRunMatch> matches = new ArrayList<>();
    for (JsonNode entry : entries) {
      String ruleId = text(entry, "ruleId");
      String verdict = text(entry, "verdict");
      if (ruleId != null
          && RULE_ID.matcher(ruleId).matches()
          && DRY_RUN_VERDICTS.contains(verdict)
          && matches.size() < MAX_DRY_RUN_MATCHES) {
        matches.add(new DryRunMatch(ruleId, verdict, cap(text(entry, "reason"), 2048)));
      }
    }
    return matches;
  }

  private JsonNode parse(byte[] reply) {
    try {
      JsonNode root = mapper.readTree(reply);
      if (root == null || !root.isObject()) {
        throw new BadAnswer("the answer is not a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new BadAnswer("the answer is not JSON");
    }
  }

  private static String cap(String value, int maxLength) {
    return value == null || value.length() <= maxLength ? value : value.substring(0, maxLength);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** policy-service answered, but not with a decision. */
  static final class BadAnswer extends RuntimeException {
    BadAnswer(String message) {
      super(message, null, false, false);
    }
  }
}
