package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.postEvents;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class HookEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode event(String session, String fixture, String decisionJson) throws Exception {
    ObjectNode hook = (ObjectNode) JSON.readTree(text("hooks/" + fixture));
    hook.put("session_id", session);
    ObjectNode item = JSON.createObjectNode();
    item.put("id", UUID.randomUUID().toString());
    item.put("receivedAt", "2026-11-25T15:04:05.123Z");
    item.put("user", "alice");
    item.set("event", hook);
    item.set("decision", decisionJson == null ? null : JSON.readTree(decisionJson));
    return item;
  }

  static String batch(ObjectNode... items) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode events = body.putArray("events");
    for (ObjectNode item : items) {
      events.add(item);
    }
    return body.toString();
  }

  static final String DENY =
      "{\"verdict\":\"deny\",\"ruleId\":\"rm-recursive-outside-workspace\",\"mode\":\"enforce\","
          + "\"source\":\"policy\",\"reason\":\"Blocked by rule rm-recursive-outside-workspace: 'rm -rf /etc'\"}";

  @Test
  void shouldStoreEachEventIdOnce() throws Exception {
    String session = newSessionId();
    String body =
        batch(
            event(session, "SessionStart.json", null),
            event(session, "PreToolUse-Bash.json", DENY),
            event(session, "PostToolUse-Bash.json", null));
    postEvents(body)
        .then()
        .statusCode(200)
        .body("accepted", equalTo(3))
        .body("duplicates", equalTo(0));
    postEvents(body)
        .then()
        .statusCode(200)
        .body("accepted", equalTo(0))
        .body("duplicates", equalTo(3));

    assertThat(sql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'"))
        .isEqualTo("3");
    assertThat(
            sql(
                "SELECT user_name || '|' || cwd || '|' || denials FROM sessions WHERE id = '"
                    + session
                    + "'"))
        .isEqualTo("alice|/home/claude-user/workspace|1");
  }

  @Test
  void shouldListEnforcedAndFailClosedDenialsInTheGrafanaView() throws Exception {
    String session = newSessionId();
    String failClosed =
        "{\"verdict\":\"deny\",\"ruleId\":null,\"mode\":\"enforce\",\"source\":\"fail-closed\","
            + "\"reason\":\"claude-guard could not reach the policy service\"}";
    String audited =
        "{\"verdict\":\"deny\",\"ruleId\":\"read-dotenv\",\"mode\":\"audit\",\"source\":\"policy\","
            + "\"reason\":\"audit only\"}";
    postEvents(
            batch(
                event(session, "PreToolUse-Bash.json", DENY),
                event(session, "PermissionRequest-Bash.json", failClosed),
                event(session, "PreToolUse-Read.json", audited),
                event(
                    session,
                    "PreToolUse-Write.json",
                    "{\"verdict\":\"allow\",\"ruleId\":\"pre-approved\",\"mode\":\"enforce\",\"source\":\"policy\",\"reason\":\"Allowed\"}"),
                // No rule decided: Claude Code's own permission system applied. Not a denial.
                event(
                    session,
                    "PreToolUse-Edit.json",
                    "{\"verdict\":\"none\",\"ruleId\":null,\"mode\":\"enforce\",\"source\":\"policy\",\"reason\":null}")))
        .then()
        .statusCode(200)
        .body("accepted", equalTo(5));
    assertThat(
            sql(
                "SELECT string_agg(tool_name || ':' || verdict, ',' ORDER BY tool_name) FROM hook_events"
                    + " WHERE session_id = '"
                    + session
                    + "' AND tool_name IN ('Edit', 'Write')"))
        .isEqualTo("Edit:none,Write:allow");

    assertThat(
            sql(
                "SELECT string_agg(tool || ':' || coalesce(rule_id, '-') || ':' || user_name || ':' || command,"
                    + " ',' ORDER BY rule_id NULLS LAST) FROM audit_denials WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo(
            "Bash:rm-recursive-outside-workspace:alice:ls -la,"
                + "Bash:-:alice:touch /home/claude-user/workspace/marker-by-bash.txt");
    reader()
        .queryParam("hadDenials", "true")
        .queryParam("user", "alice")
        .get("/v1/sessions")
        .then()
        .statusCode(200)
        .body("sessions.id", hasItem(session));
    reader()
        .get("/v1/sessions/{id}", session)
        .then()
        .statusCode(200)
        .body("session.denials", equalTo(2))
        .body("denials", hasSize(3));
  }

  @Test
  void shouldRefuseAMalformedBatchWholeAndSayWhichItemsAndWhy() throws Exception {
    String session = newSessionId();
    ObjectNode good = event(session, "Stop.json", null);
    ObjectNode noId = event(session, "Stop.json", null);
    noId.remove("id");
    ObjectNode badDecision = event(session, "PreToolUse-Bash.json", "{\"verdict\":\"maybe\"}");
    ObjectNode badTime = event(session, "Stop.json", null);
    badTime.put("receivedAt", "yesterday");
    postEvents(batch(good, noId, badDecision, badTime))
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("errors.index", equalTo(java.util.List.of(1, 2, 3)))
        .body("errors[0].reason", containsString("'id'"))
        .body("errors[1].reason", containsString("verdict"))
        .body("errors[2].reason", containsString("receivedAt"));
    assertThat(sql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'"))
        .isEqualTo("0");

    postEvents("{\"events\": 5}").then().statusCode(422);
    postEvents("{\"events\": [").then().statusCode(400).contentType("application/problem+json");
  }

  @Test
  void shouldRedactSecretsInEventsBeforeStoringThem() throws Exception {
    String session = newSessionId();
    ObjectNode item = event(session, "PreToolUse-Bash.json", DENY);
    ((ObjectNode) item.get("event").get("tool_input"))
        .put("command", "gh auth login --with-token <<< ghp_Xq7Lm2Rt9Vw4Zb8Nc3KdHs5Pf1Jy6Ug0Ea2O");
    postEvents(batch(item)).then().statusCode(200);

    String stored =
        sql("SELECT payload::text FROM hook_events WHERE session_id = '" + session + "'");
    assertThat(stored).contains("[REDACTED:github-pat]").doesNotContain("ghp_Xq7Lm2Rt9");
    assertThat(sql("SELECT command FROM audit_denials WHERE session_id = '" + session + "'"))
        .contains("--with-token <<< [REDACTED:github-pat]");
  }

  @Test
  void shouldStoreDryRunMatchesRedactedWithTheDecisionAndNeverCountThemAsDenials()
      throws Exception {
    String session = newSessionId();
    ObjectNode item =
        event(
            session,
            "PreToolUse-Bash.json",
            "{\"verdict\":\"none\",\"ruleId\":null,\"mode\":\"enforce\",\"source\":\"policy\","
                + "\"dryrun\":[{\"ruleId\":\"no-token-logins\",\"verdict\":\"deny\",\"reason\":"
                + "\"Would have been blocked: 'echo ghp_Xq7Lm2Rt9Vw4Zb8Nc3KdHs5Pf1Jy6Ug0Ea2O'\"},"
                + "{\"ruleId\":\"ask-trial\",\"verdict\":\"ask\"}]}");
    postEvents(batch(item)).then().statusCode(200);

    String stored =
        sql("SELECT dryrun::text FROM hook_events WHERE session_id = '" + session + "'");
    assertThat(stored)
        .contains("\"ruleId\": \"no-token-logins\"")
        .contains("[REDACTED:github-pat]")
        .doesNotContain("ghp_Xq7Lm2Rt9")
        .contains("\"ruleId\": \"ask-trial\"");
    assertThat(sql("SELECT count(*) FROM audit_denials WHERE session_id = '" + session + "'"))
        .isEqualTo("0");
    reader()
        .get("/v1/sessions/{id}", session)
        .then()
        .statusCode(200)
        .body("session.denials", equalTo(0));

    String plain = newSessionId();
    postEvents(batch(event(plain, "PreToolUse-Bash.json", DENY))).then().statusCode(200);
    assertThat(sql("SELECT dryrun IS NULL FROM hook_events WHERE session_id = '" + plain + "'"))
        .isEqualTo("t");
  }

  @Test
  void shouldRefuseDryRunMatchesOfAnotherShapeSayingWhy() throws Exception {
    String session = newSessionId();
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 17; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"ruleId\":\"r")
          .append(i)
          .append("\",\"verdict\":\"deny\"}");
    }
    String none = "{\"verdict\":\"none\",\"source\":\"policy\",\"dryrun\":";
    postEvents(
            batch(
                event(
                    session,
                    "PreToolUse-Bash.json",
                    none + "[{\"ruleId\":\"r\",\"verdict\":\"allow\"}]}"),
                event(
                    session,
                    "PreToolUse-Bash.json",
                    none + "[{\"ruleId\":\"Bad Id\",\"verdict\":\"deny\"}]}"),
                event(session, "PreToolUse-Bash.json", none + "[" + many + "]}"),
                event(session, "PreToolUse-Bash.json", none + "\"deny\"}"),
                event(
                    session,
                    "PreToolUse-Bash.json",
                    none
                        + "[{\"ruleId\":\"r\",\"verdict\":\"deny\",\"reason\":\""
                        + "x".repeat(2049)
                        + "\"}]}")))
        .then()
        .statusCode(422)
        .body("errors.index", equalTo(java.util.List.of(0, 1, 2, 3, 4)))
        .body("errors[0].reason", containsString("'decision.dryrun[].verdict' must be one of"))
        .body("errors[1].reason", containsString("must be a policy rule id"))
        .body("errors[2].reason", containsString("at most 16"))
        .body("errors[3].reason", containsString("at most 16"))
        .body("errors[4].reason", containsString("'reason' is longer than 2048"));
    assertThat(sql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'"))
        .isEqualTo("0");
  }
}
