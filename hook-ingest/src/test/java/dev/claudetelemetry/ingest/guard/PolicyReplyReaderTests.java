package dev.claudetelemetry.ingest.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What of policy-service's answer reaches Claude Code, what is recorded, and what counts as
 * garbage.
 */
class PolicyReplyReaderTests {

  private final PolicyReplyReader reader = new PolicyReplyReader();

  private GuardAnswer read(String event, String json) {
    return reader.read(event, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldPassOnOnlyHookSpecificOutputAndRecordThePolicyBlock() {
    GuardAnswer answer =
        read(
            "PreToolUse",
            """
        {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
         "permissionDecisionReason":"Blocked by rule r1"},
         "policy":{"verdict":"deny","ruleId":"r1","mode":"enforce","version":"v","sha256":"00"}}""");
    assertThat(answer.hookOutput().toString())
        .isEqualTo(
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\","
                + "\"permissionDecisionReason\":\"Blocked by rule r1\"}}");
    assertThat(answer.denied()).isTrue();
    assertThat(answer.decision())
        .isEqualTo(new GuardDecision("deny", "r1", "enforce", "policy", "Blocked by rule r1"));
  }

  @Test
  void shouldGiveNoDecisionWhenNoRuleDecidedAndRecordIt() {
    for (String event : new String[] {"PreToolUse", "PermissionRequest"}) {
      GuardAnswer answer =
          read(
              event,
              """
          {"policy":{"verdict":"none","ruleId":null,"mode":"enforce","version":"v","sha256":"00"}}""");
      assertThat(answer.hookOutput().toString()).isEqualTo("{}");
      assertThat(answer.denied()).isFalse();
      assertThat(answer.decision())
          .isEqualTo(new GuardDecision("none", null, "enforce", "policy", null));
    }
  }

  @Test
  void shouldRecordTheAuditVerdictAndReasonWhileClaudeCodeGetsNoDecision() {
    GuardAnswer answer =
        read(
            "PreToolUse",
            """
        {"policy":{"verdict":"deny","ruleId":"r2","mode":"audit","reason":"Blocked by r2"}}""");
    assertThat(answer.hookOutput().toString()).isEqualTo("{}");
    assertThat(answer.denied()).isFalse();
    assertThat(answer.decision())
        .isEqualTo(new GuardDecision("deny", "r2", "audit", "policy", "Blocked by r2"));
  }

  @Test
  void shouldPassAnExplicitAllowOn() {
    GuardAnswer answer =
        read(
            "PreToolUse",
            """
        {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"},
         "policy":{"verdict":"allow","ruleId":"pre-approved","mode":"enforce","reason":"Allowed"}}""");
    assertThat(answer.hookOutput().path("hookSpecificOutput").path("permissionDecision").asText())
        .isEqualTo("allow");
    assertThat(answer.decision())
        .isEqualTo(new GuardDecision("allow", "pre-approved", "enforce", "policy", "Allowed"));
  }

  @Test
  void shouldFallBackToTheDecisionWhenThePolicyVerdictIsMissingOrUnknown() {
    assertThat(
            read(
                    "PreToolUse",
                    """
        {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"ask"}}""")
                .decision()
                .verdict())
        .isEqualTo("ask");
    assertThat(
            read(
                    "PreToolUse",
                    """
        {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny"},
         "policy":{"verdict":"quarantine"}}""")
                .decision()
                .verdict())
        .isEqualTo("deny");
  }

  @Test
  void shouldCapRecordedFieldsToWhatTranscriptServiceStores() {
    String reason = "r".repeat(10_000);
    GuardAnswer answer =
        read(
            "PreToolUse",
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
                + "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\""
                + reason
                + "\"},"
                + "\"policy\":{\"verdict\":\"deny\",\"ruleId\":\""
                + "i".repeat(300)
                + "\"}}");
    assertThat(answer.decision().reason()).hasSize(8192);
    assertThat(answer.decision().ruleId()).hasSize(256);
    // Claude Code still gets the whole reason.
    assertThat(
            answer
                .hookOutput()
                .path("hookSpecificOutput")
                .path("permissionDecisionReason")
                .asText())
        .hasSize(10_000);
  }

  @Test
  void shouldTreatAPermissionRequestWithoutOutputAsAskOnlyWhenThePolicySaysAsk() {
    GuardAnswer ask =
        read("PermissionRequest", "{\"policy\":{\"verdict\":\"ask\",\"ruleId\":\"r3\"}}");
    assertThat(ask.hookOutput().isEmpty()).isTrue();
    assertThat(ask.denied()).isFalse();
    assertThat(ask.decision().verdict()).isEqualTo("ask");
    assertThatThrownBy(() -> read("PermissionRequest", "{\"policy\":{\"verdict\":\"deny\"}}"))
        .isInstanceOf(PolicyReplyReader.BadAnswer.class);
  }

  @Test
  void shouldReadPermissionRequestDecisions() {
    GuardAnswer answer =
        read(
            "PermissionRequest",
            """
        {"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny","message":"no"}}}""");
    assertThat(answer.denied()).isTrue();
    assertThat(answer.decision().reason()).isEqualTo("no");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "not json               | PreToolUse        | `<html>`",
        "array                  | PreToolUse        | `[]`",
        "null                   | PreToolUse        | `null`",
        "no output              | PreToolUse        | `{\"policy\":{\"verdict\":\"allow\"}}`",
        "no output, enforce deny | PreToolUse       | `{\"policy\":{\"verdict\":\"deny\",\"mode\":\"enforce\"}}`",
        "no output, no verdict  | PreToolUse        | `{}`",
        "audit, unknown verdict | PreToolUse        | `{\"policy\":{\"verdict\":\"maybe\",\"mode\":\"audit\"}}`",
        "PermissionRequest none? | PermissionRequest | `{\"policy\":{\"verdict\":\"allow\"}}`",
        "output not an object   | PreToolUse        | `{\"hookSpecificOutput\":\"allow\"}`",
        "other event            | PreToolUse        | `{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"permissionDecision\":\"allow\"}}`",
        "unknown decision       | PreToolUse        | `{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"yes\"}}`",
        "decision not a string  | PreToolUse        | `{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":true}}`",
        "ask as a behaviour     | PermissionRequest | `{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"ask\"}}}`",
        "no behaviour           | PermissionRequest | `{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\"}}`"
      })
  void shouldRefuseAnswersThatAreNotADecision(String name, String event, String json) {
    assertThatThrownBy(() -> read(event, json)).isInstanceOf(PolicyReplyReader.BadAnswer.class);
  }

  @Test
  void shouldRecordDryRunMatchesAndLeaveOutEntriesOfAnotherShape() {
    StringBuilder entries = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      entries.append("{\"ruleId\":\"trial-").append(i).append("\",\"verdict\":\"deny\"},");
    }
    GuardAnswer answer =
        read(
            "PreToolUse",
            "{\"policy\":{\"verdict\":\"none\",\"ruleId\":null,\"mode\":\"enforce\","
                + "\"dryrun\":[{\"ruleId\":\"ok-rule\",\"verdict\":\"ask\",\"reason\":\""
                + "r".repeat(5000)
                + "\"},{\"ruleId\":\"x{a=b}\",\"verdict\":\"deny\"},"
                + "{\"ruleId\":\"allowed\",\"verdict\":\"allow\"},{\"verdict\":\"deny\"},7,"
                + entries
                + "{\"ruleId\":\"last\",\"verdict\":\"deny\"}]}}");

    assertThat(answer.hookOutput().toString()).isEqualTo("{}");
    assertThat(answer.decision().dryrun()).hasSize(PolicyReplyReader.MAX_DRY_RUN_MATCHES);
    assertThat(answer.decision().dryrun().get(0).ruleId()).isEqualTo("ok-rule");
    assertThat(answer.decision().dryrun().get(0).verdict()).isEqualTo("ask");
    assertThat(answer.decision().dryrun().get(0).reason()).hasSize(2048);
    assertThat(answer.decision().dryrun().get(1).ruleId()).isEqualTo("trial-0");
    assertThat(answer.decision().dryrun().get(1).reason()).isNull();
  }

  @Test
  void shouldIgnoreADryRunFieldThatIsNotAList() {
    GuardAnswer answer =
        read(
            "PreToolUse",
            """
        {"policy":{"verdict":"none","ruleId":null,"mode":"enforce","dryrun":"deny"}}""");
    assertThat(answer.decision().dryrun()).isEmpty();
  }
}
