package dev.claudetelemetry.policy.decisions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicySettings;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer's shape for every verdict, mode and event (docs/contracts.md). */
class DecisionServiceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Decision DENY = new Decision(Verdict.DENY, "r", "Blocked. Instead: x.");
  private static final Decision ASK = new Decision(Verdict.ASK, "r", "Confirm. Instead: x.");
  private static final Decision ALLOW = new Decision(Verdict.ALLOW, "r", "Allowed by r.");

  private static Policy policy(Policy.Mode mode) {
    return new Policy(
        "p",
        "1",
        mode,
        new PolicySettings(List.of(), null, Verdict.ASK, "/"),
        List.of(),
        "",
        "sha",
        "test",
        Instant.EPOCH);
  }

  private static String answer(String event, Decision decision, Policy.Mode mode) {
    ObjectNode input = JSON.createObjectNode().put("command", "x");
    ToolCall call = new ToolCall(event, "Bash", input, "/w", "/h/.claude/p/s.jsonl", "default");
    try {
      return JSON.writeValueAsString(
          DecisionService.respond(call, decision, policy(mode)).hookSpecificOutput());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldGiveNoDecisionWhenNoRuleDecidedInAuditModeAndForAPermissionRequestToAsk() {
    for (String event : List.of("PreToolUse", "PermissionRequest")) {
      assertThat(answer(event, Decision.UNDECIDED, Policy.Mode.ENFORCE)).isEqualTo("null");
      for (Decision decision : List.of(DENY, ASK, ALLOW, Decision.UNDECIDED)) {
        assertThat(answer(event, decision, Policy.Mode.AUDIT)).isEqualTo("null");
      }
    }
    assertThat(answer("PermissionRequest", ASK, Policy.Mode.ENFORCE)).isEqualTo("null");
  }

  @Test
  void shouldPassAnExplicitVerdictOnInTheEventsOwnShape() {
    assertThat(answer("PreToolUse", ALLOW, Policy.Mode.ENFORCE))
        .isEqualTo(
            "{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\",\"permissionDecisionReason\":\"Allowed by r.\"}");
    assertThat(answer("PreToolUse", ASK, Policy.Mode.ENFORCE))
        .contains("\"permissionDecision\":\"ask\"");
    assertThat(answer("PermissionRequest", ALLOW, Policy.Mode.ENFORCE))
        .isEqualTo(
            "{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"allow\"}}");
    assertThat(answer("PermissionRequest", DENY, Policy.Mode.ENFORCE))
        .contains("\"behavior\":\"deny\",\"message\":\"Blocked. Instead: x.\"");
  }

  @Test
  void shouldKeepTheRealVerdictAndReasonInThePolicyBlock() throws Exception {
    ObjectNode input = JSON.createObjectNode().put("command", "x");
    ToolCall call = new ToolCall("PreToolUse", "Bash", input, "/w", "/h/.claude/p/s.jsonl", "d");
    String audited =
        JSON.writeValueAsString(
            DecisionService.respond(call, DENY, policy(Policy.Mode.AUDIT)).policy());
    assertThat(audited)
        .contains(
            "\"verdict\":\"deny\"", "\"mode\":\"audit\"", "\"reason\":\"Blocked. Instead: x.\"");
    String undecided =
        JSON.writeValueAsString(
            DecisionService.respond(call, Decision.UNDECIDED, policy(Policy.Mode.ENFORCE)));
    assertThat(undecided)
        .startsWith("{\"policy\":{\"verdict\":\"none\",\"ruleId\":null,")
        .doesNotContain("reason")
        .doesNotContain("hookSpecificOutput");
  }
}
