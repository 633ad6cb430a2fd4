package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Scrape;
import dev.claudetelemetry.ingest.support.StubServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/hooks} end to end over HTTP: real stub servers on loopback, metrics read from
 * /q/metrics on the management port.
 */
@QuarkusTest
@WithTestResource(StubServers.class)
class HookResourceTests {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/v1/hooks")
  URI hooks;

  static Response post(Object body, String user) {
    return post(body, user, null);
  }

  /** With {@code eventKey}, as the hook client sends every attempt to deliver one event. */
  static Response post(Object body, String user, String eventKey) {
    var request =
        given()
            .header("Authorization", "Bearer " + StubServers.TOKEN)
            .contentType("application/json")
            .body(body.toString());
    if (user != null) {
      request.header("X-Claude-Telemetry-User", user);
    }
    if (eventKey != null) {
      request.header(HookResource.EVENT_KEY_HEADER, eventKey);
    }
    return request.post("/v1/hooks");
  }

  private static String uniqueUser() {
    return "u" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void shouldAcceptAndCountEveryRecordedHookEvent() {
    String user = uniqueUser();
    List<Path> files = Fixtures.all();
    Map<String, Integer> expected = new HashMap<>();
    for (Path file : files) {
      ObjectNode input = Fixtures.hookInput(file);
      post(input, user).then().statusCode(200);
      String tool = input.has("tool_name") ? input.get("tool_name").asText() : "none";
      expected.merge(input.get("hook_event_name").asText() + "/" + tool, 1, Integer::sum);
    }

    Scrape scrape = Scrape.now();
    double total = 0;
    for (var series : expected.entrySet()) {
      String[] eventAndTool = series.getKey().split("/");
      double counted =
          scrape.value(
              "claude_hook_events_total",
              "event",
              eventAndTool[0],
              "tool",
              eventAndTool[1],
              "user",
              user);
      assertThat(counted).as(series.getKey()).isEqualTo(series.getValue().doubleValue());
      total += counted;
    }
    assertThat(files).hasSizeGreaterThan(50);
    assertThat(total).isEqualTo(files.size());
    // ... and every one of them forwarded, once.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                StubServers.receiver().events().stream()
                        .filter(event -> event.path("user").asText().equals(user))
                        .count()
                    == files.size());
  }

  @Test
  void shouldAnswerWithPolicyServicesDecisionAndNothingElse() throws Exception {
    String session = UUID.randomUUID().toString();
    // No rule decided: no decision, so Claude Code's own permission system applies.
    post(Fixtures.bash("PreToolUse", session, "toolu_n", "ls -la"), null)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));
    String allowed =
        post(Fixtures.bash("PreToolUse", session, "toolu_a", "allow ls -la"), null)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(JSON.readTree(allowed))
        .isEqualTo(
            JSON.readTree(
                "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
                    + "\"permissionDecisionReason\":\"Allowed by rule test-allow\"}}"));

    post(Fixtures.bash("PreToolUse", session, "toolu_d", "deny rm -rf /etc"), null)
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body(
            "hookSpecificOutput.permissionDecisionReason",
            equalTo("Blocked by rule test-deny: deny rm -rf /etc"))
        .body("policy", org.hamcrest.Matchers.nullValue());

    post(Fixtures.bash("PreToolUse", session, "toolu_q", "ask curl example.com"), null)
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("ask"));

    assertThat(StubServers.policy().lastAuthorization()).isEqualTo("Bearer test-policy-token");
  }

  /**
   * Concurrent connections land on every event loop, and each loop has its own pool to
   * policy-service: 80 calls in ten waves of eight at once, each must get its own decision back.
   */
  @Test
  void shouldGiveEachCallInTenWavesOfEightConcurrentCallsItsOwnDecision() throws Exception {
    String session = UUID.randomUUID().toString();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    int wave = 8; // connections at once, accepted round-robin over the event loops
    for (int first = 0; first < 10 * wave; first += wave) {
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = first; i < first + wave; i++) {
        String command = (i % 2 == 0 ? "deny rm -rf /srv/" : "allow ls /srv/") + i;
        answers.add(
            client.sendAsync(
                HttpRequest.newBuilder(hooks)
                    .header("Authorization", "Bearer " + StubServers.TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            Fixtures.bash("PreToolUse", session, "toolu_c" + i, command)
                                .toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = first; i < first + wave; i++) {
        HttpResponse<String> response = answers.get(i - first).get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode output = JSON.readTree(response.body()).path("hookSpecificOutput");
        if (i % 2 == 0) {
          assertThat(output.path("permissionDecisionReason").asText())
              .as("call %d", i)
              .isEqualTo("Blocked by rule test-deny: deny rm -rf /srv/" + i);
        } else {
          assertThat(output.path("permissionDecision").asText())
              .as("call %d", i)
              .isEqualTo("allow");
        }
      }
    }
  }

  @Test
  void shouldAnswerPermissionRequestsInTheirOwnShape() {
    String user = uniqueUser();
    String session = UUID.randomUUID().toString();
    ObjectNode denied = Fixtures.bash("PermissionRequest", session, "ignored", "deny rm -rf /");
    denied.remove("tool_use_id"); // Claude Code sends PermissionRequest without one
    post(denied, user)
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.hookEventName", equalTo("PermissionRequest"))
        .body("hookSpecificOutput.decision.behavior", equalTo("deny"))
        .body("hookSpecificOutput.decision.message", startsWith("Blocked by rule test-deny"));
    // "ask" for a PermissionRequest is no decision: the user answers.
    post(Fixtures.bash("PermissionRequest", session, "toolu_pq", "ask touch x"), user)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));
    post(Fixtures.bash("PermissionRequest", session, "toolu_pa", "allow touch y"), user)
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.decision.behavior", equalTo("allow"));
    // No rule decided: no decision either, the user answers.
    post(Fixtures.bash("PermissionRequest", session, "toolu_pn", "touch z"), user)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));
    Scrape scrape = Scrape.now();
    assertThat(
            scrape.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", user))
        .isEqualTo(1);
    assertThat(
            scrape.value(
                "claude_hook_events_total",
                "event",
                "PermissionRequest",
                "tool",
                "Bash",
                "user",
                user))
        .isEqualTo(4);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "slow sleep 1, timeout",
    "garbage ls, bad_answer",
    "array ls, bad_answer",
    "no-output ls, bad_answer",
    "unknown-decision ls, bad_answer",
    "wrong-event ls, bad_answer",
    "status500 ls, bad_status",
    "status404 ls, bad_status"
  })
  void shouldDenyWithAClearReasonWhenPolicyServiceGivesNoValidAnswer(
      String command, String failure) {
    String user = uniqueUser();
    Scrape before = Scrape.now();

    try {
      post(Fixtures.bash("PreToolUse", UUID.randomUUID().toString(), "toolu_f", command), user)
          .then()
          .statusCode(200)
          .body("hookSpecificOutput.hookEventName", equalTo("PreToolUse"))
          .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
          .body(
              "hookSpecificOutput.permissionDecisionReason",
              startsWith("claude-telemetry guard unavailable: "))
          .body(
              "hookSpecificOutput.permissionDecisionReason",
              containsString("Contact your platform team."));
    } finally {
      // A slow answer was held until hook-ingest had answered: timed out, by ordering, not by
      // racing a clock.
      StubServers.policy().releaseSlowAnswers();
    }

    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_guard_failures_total", "reason", failure)
                - before.value("claude_hook_guard_failures_total", "reason", failure))
        .isEqualTo(1);
    assertThat(
            after.value(
                    "claude_hook_guard_decisions_total", "source", "fail-closed", "verdict", "deny")
                - before.value(
                    "claude_hook_guard_decisions_total",
                    "source",
                    "fail-closed",
                    "verdict",
                    "deny"))
        .isEqualTo(1);
    assertThat(
            after.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", user))
        .isEqualTo(1);
  }

  @Test
  void shouldCountEachToolCallOnceWithItsOutcome() {
    String user = uniqueUser();
    String session = UUID.randomUUID().toString();
    Scrape before = Scrape.now();

    post(Fixtures.bash("PreToolUse", session, "toolu_ok", "ls"), user).then().statusCode(200);
    post(Fixtures.bash("PostToolUse", session, "toolu_ok", "ls"), user).then().statusCode(200);
    // One failed call: Claude Code sends PostToolUseFailure, then PostToolUse with a string
    // tool_response.
    post(Fixtures.bash("PostToolUseFailure", session, "toolu_fail", "false"), user)
        .then()
        .statusCode(200);
    ObjectNode echo = Fixtures.bash("PostToolUse", session, "toolu_fail", "false");
    echo.put("tool_response", "Error: Exit code 1");
    post(echo, user).then().statusCode(200);
    ObjectNode interrupted = Fixtures.bash("PostToolUseFailure", session, "toolu_int", "sleep 100");
    interrupted.put("is_interrupt", true).put("duration_ms", 4000);
    post(interrupted, user).then().statusCode(200);
    post(Fixtures.bash("PreToolUse", session, "toolu_no", "deny rm -rf /"), user)
        .then()
        .statusCode(200);
    // The same tool_use_id in another session is another call.
    post(Fixtures.bash("PostToolUse", UUID.randomUUID().toString(), "toolu_ok", "ls"), user)
        .then()
        .statusCode(200);

    Scrape after = Scrape.now();
    assertThat(
            after.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "succeeded", "user", user))
        .isEqualTo(2);
    assertThat(
            after.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "failed", "user", user))
        .isEqualTo(1);
    assertThat(
            after.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "interrupted", "user", user))
        .isEqualTo(1);
    assertThat(
            after.value(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", user))
        .isEqualTo(1);
    assertThat(
            after.value(
                "claude_hook_events_total", "event", "PostToolUse", "tool", "Bash", "user", user))
        .isEqualTo(3);
    // Durations once per call that ran: 27 ms (fixture) twice, 7 ms, 4 s.
    assertThat(
            after.value("claude_tool_duration_seconds_count", "tool", "Bash")
                - before.value("claude_tool_duration_seconds_count", "tool", "Bash"))
        .isEqualTo(4);
    assertThat(
            after.value("claude_tool_duration_seconds_sum", "tool", "Bash")
                - before.value("claude_tool_duration_seconds_sum", "tool", "Bash"))
        .isCloseTo(4.061, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(
            after.value("claude_tool_duration_seconds_bucket", "tool", "Bash", "le", "0.01")
                - before.value("claude_tool_duration_seconds_bucket", "tool", "Bash", "le", "0.01"))
        .isEqualTo(1);
  }

  @Test
  void shouldCountSessionsAndPromptsWithBoundedLabels() {
    String user = uniqueUser();
    Scrape before = Scrape.now();
    post(Fixtures.hookInput("SessionStart-startup.json"), user).then().statusCode(200);
    post(Fixtures.hookInput("SessionStart-compact.json"), user).then().statusCode(200);
    post(Fixtures.hookInput("SessionStart.json").put("source", "a-new-source"), user)
        .then()
        .statusCode(200);
    post(Fixtures.hookInput("SessionEnd-prompt_input_exit.json"), user).then().statusCode(200);
    post(Fixtures.hookInput("UserPromptSubmit.json"), user).then().statusCode(200);
    post(Fixtures.hookInput("UserPromptSubmit.json"), user).then().statusCode(200);
    post(
            Fixtures.hookInput("Stop.json")
                .put("hook_event_name", "SomethingNew")
                .put("tool_name", "mcp__x__y"),
            user)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));

    Scrape after = Scrape.now();
    for (String source : List.of("startup", "compact", "other")) {
      assertThat(
              after.value("claude_sessions_started_total", "source", source)
                  - before.value("claude_sessions_started_total", "source", source))
          .as(source)
          .isEqualTo(1);
    }
    assertThat(
            after.value("claude_sessions_ended_total", "reason", "prompt_input_exit")
                - before.value("claude_sessions_ended_total", "reason", "prompt_input_exit"))
        .isEqualTo(1);
    assertThat(after.value("claude_prompts_total", "user", user)).isEqualTo(2);
    assertThat(
            after.value("claude_hook_events_total", "event", "other", "tool", "mcp", "user", user))
        .isEqualTo(1);
  }

  @ParameterizedTest(name = "header {0} -> user {1}")
  @CsvSource({
    "Alice.Smith@example.com, alice.smith@example.com",
    "'bad name!', invalid",
    "'', unknown"
  })
  void shouldLabelEventsWithAValidatedUser(String header, String label) {
    Scrape before = Scrape.now();
    post(Fixtures.hookInput("Stop.json"), header.isEmpty() ? null : header).then().statusCode(200);
    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_events_total", "event", "Stop", "tool", "none", "user", label)
                - before.value(
                    "claude_hook_events_total", "event", "Stop", "tool", "none", "user", label))
        .isEqualTo(1);
  }

  @Test
  void shouldRefuseAndCountRequestsWithoutTheRightToken() {
    Scrape before = Scrape.now();
    String body = Fixtures.hookInput("Stop.json").toString();
    given()
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", startsWith("Bearer"))
        .body("status", equalTo(401))
        .body("type", equalTo("https://claude-telemetry.dev/problems/unauthorized"));
    given()
        .header("Authorization", "Bearer not-the-token")
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks")
        .then()
        .statusCode(401)
        .body("detail", equalTo("the bearer token is not valid"));
    given()
        .header("Authorization", "Basic " + StubServers.TOKEN)
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", "Bearer " + StubServers.TOKEN + "x")
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks")
        .then()
        .statusCode(401);
    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_ingest_rejected_total", "reason", "unauthorized")
                - before.value("claude_hook_ingest_rejected_total", "reason", "unauthorized"))
        .isEqualTo(4);
    // Prometheus and the kubelet need no token.
    Scrape.management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    Scrape.management().get("/q/health/live").then().statusCode(200);
  }

  @Test
  void shouldServeMetricsAndHealthOnlyOnTheManagementPort() {
    // The workspaces reach the main port; the metrics name every user, so they are not there.
    for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/health/live")) {
      Scrape.management().get(path).then().statusCode(200);
      given().get(path).then().statusCode(404);
      given()
          .header("Authorization", "Bearer " + StubServers.TOKEN)
          .get(path)
          .then()
          .statusCode(404);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "not json                | hello                                          | 400 | not_json | not valid JSON",
        "empty                   | `` | 400 | not_json | empty",
        "array                   | [1,2]                                          | 400 | invalid  | not an array",
        "string                  | `\"PreToolUse\"` | 400 | invalid  | not a string",
        "no event name           | `{\"session_id\":\"s\"}` | 400 | invalid  | 'hook_event_name' is missing",
        "no session              | `{\"hook_event_name\":\"Stop\"}` | 400 | invalid  | 'session_id' is missing",
        "event name not a string | `{\"hook_event_name\":[],\"session_id\":\"s\"}` | 400 | invalid  | 'hook_event_name' must be a non-empty string, not an array",
        "session id a number     | `{\"hook_event_name\":\"Stop\",\"session_id\":7}` | 400 | invalid | 'session_id' must be a non-empty string, not a number",
        "tool name an object     | `{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s\",\"tool_name\":{}}` | 400 | invalid | 'tool_name' must be a string",
        "duration a string       | `{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"s\",\"duration_ms\":\"5\"}` | 400 | invalid | 'duration_ms' must be a non-negative number",
        "negative duration       | `{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"s\",\"duration_ms\":-1}` | 400 | invalid | 'duration_ms' must be a non-negative number",
        "interrupt a string      | `{\"hook_event_name\":\"PostToolUseFailure\",\"session_id\":\"s\",\"is_interrupt\":\"yes\"}` | 400 | invalid | 'is_interrupt' must be a boolean",
        "duplicate key           | `{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"session_id\":\"t\"}` | 400 | not_json | Duplicate field 'session_id'",
        "trailing garbage        | `{\"hook_event_name\":\"Stop\",\"session_id\":\"s\"} {}` | 400 | not_json | not valid JSON"
      })
  void shouldRefuseBadBodiesWithAReason(
      String name, String body, int status, String reason, String detail) {
    Scrape before = Scrape.now();
    given()
        .header("Authorization", "Bearer " + StubServers.TOKEN)
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks")
        .then()
        .statusCode(status)
        .contentType("application/problem+json")
        .body("status", equalTo(status))
        .body("title", org.hamcrest.Matchers.notNullValue())
        .body("detail", containsString(detail));
    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_ingest_rejected_total", "reason", reason)
                - before.value("claude_hook_ingest_rejected_total", "reason", reason))
        .isEqualTo(1);
  }

  /**
   * The hook client's ordinary request is served by {@link HookRoute}, anything unusual (here a
   * chunked body and an {@code Accept} of {@code application/*}) by the resource: both give the
   * same answers, byte for byte, and count the same.
   */
  @Test
  void shouldAnswerAndCountAnUnusualRequestAsAnOrdinaryOne() throws Exception {
    String user = uniqueUser();
    String session = UUID.randomUUID().toString();
    List<String> bodies =
        List.of(
            Fixtures.bash("PreToolUse", session, "toolu_way", "deny rm -rf /etc").toString(),
            Fixtures.bash("PostToolUse", session, "toolu_way", "ls").toString(),
            "{\"hook_event_name\":3}",
            "not json");
    Scrape before = Scrape.now();
    for (String body : bodies) {
      HttpResponse<String> ordinary = send(body, user, false);
      HttpResponse<String> unusual = send(body, user, true);
      assertThat(unusual.statusCode()).as(body).isEqualTo(ordinary.statusCode());
      assertThat(unusual.headers().firstValue("Content-Type"))
          .as(body)
          .isEqualTo(ordinary.headers().firstValue("Content-Type"));
      assertThat(unusual.body()).as(body).isEqualTo(ordinary.body());
    }
    Scrape after = Scrape.now();
    for (String event : List.of("PreToolUse", "PostToolUse")) {
      assertThat(
              after.value("claude_hook_events_total", "event", event, "user", user)
                  - before.value("claude_hook_events_total", "event", event, "user", user))
          .as(event)
          .isEqualTo(2);
    }
    for (String reason : List.of("invalid", "not_json")) {
      assertThat(
              after.value("claude_hook_ingest_rejected_total", "reason", reason)
                  - before.value("claude_hook_ingest_rejected_total", "reason", reason))
          .as(reason)
          .isEqualTo(2);
    }
  }

  private HttpResponse<String> send(String body, String user, boolean unusual) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(hooks)
            .header("Authorization", "Bearer " + StubServers.TOKEN)
            .header("X-Claude-Telemetry-User", user)
            .header("Content-Type", "application/json");
    if (unusual) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      request
          .header("Accept", "application/*")
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
    } else {
      request.POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldRefuseTooDeepTooLargeAndNonJsonBodiesAndKeepServing() {
    Scrape before = Scrape.now();
    String deep =
        "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"x\":"
            + "[".repeat(100)
            + "]".repeat(100)
            + "}";
    post(deep, null).then().statusCode(400).body("type", containsString("too-deep"));

    ObjectNode huge = Fixtures.hookInput("PostToolUse-Bash.json");
    huge.with("tool_response").put("stdout", "x".repeat(1024 * 1024));
    post(huge, null)
        .then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("status", equalTo(413))
        .body("type", equalTo("https://claude-telemetry.dev/problems/body-too-large"))
        .body("detail", containsString("at most 1048576"));

    given()
        .header("Authorization", "Bearer " + StubServers.TOKEN)
        .contentType("text/plain")
        .body(Fixtures.hookInput("Stop.json").toString())
        .post("/v1/hooks")
        .then()
        .statusCode(415)
        .contentType("application/problem+json")
        .body("type", equalTo("https://claude-telemetry.dev/problems/unsupported-media-type"));

    Scrape after = Scrape.now();
    for (String reason : List.of("too_deep", "too_large", "unsupported_media_type")) {
      assertThat(
              after.value("claude_hook_ingest_rejected_total", "reason", reason)
                  - before.value("claude_hook_ingest_rejected_total", "reason", reason))
          .as(reason)
          .isEqualTo(1);
    }
    // Just under the limit is fine, and the service is still serving.
    ObjectNode large = Fixtures.hookInput("PostToolUse-Bash.json");
    large.with("tool_response").put("stdout", "x".repeat(1000 * 1000));
    post(large, null).then().statusCode(200);
  }

  @Test
  void shouldForwardEveryEventWithItsDecisionAndAStableId() throws Exception {
    String user = uniqueUser();
    String session = UUID.randomUUID().toString();
    ObjectNode denied = Fixtures.bash("PreToolUse", session, "toolu_fw1", "deny rm -rf /etc");
    ObjectNode prompt = Fixtures.hookInput("UserPromptSubmit.json").put("session_id", session);
    post(denied, user).then().statusCode(200);
    post(prompt, user).then().statusCode(200);
    post(Fixtures.bash("PreToolUse", session, "toolu_fw2", "slow ls"), user).then().statusCode(200);
    StubServers.policy().releaseSlowAnswers();

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 3);
    List<JsonNode> forwarded = forwardedFor(session);
    JsonNode first =
        forwarded.stream()
            .filter(e -> e.path("event").path("tool_use_id").asText().equals("toolu_fw1"))
            .findFirst()
            .orElseThrow();
    assertThat(first.get("event")).isEqualTo(JSON.readTree(denied.toString()));
    assertThat(first.get("user").asText()).isEqualTo(user);
    assertThat(UUID.fromString(first.get("id").asText())).isNotNull();
    assertThat(first.get("receivedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(first.get("decision").get("verdict").asText()).isEqualTo("deny");
    assertThat(first.get("decision").get("ruleId").asText()).isEqualTo("test-deny");
    assertThat(first.get("decision").get("mode").asText()).isEqualTo("enforce");
    assertThat(first.get("decision").get("source").asText()).isEqualTo("policy");

    JsonNode promptEvent =
        forwarded.stream()
            .filter(
                e -> e.path("event").path("hook_event_name").asText().equals("UserPromptSubmit"))
            .findFirst()
            .orElseThrow();
    assertThat(promptEvent.get("decision").isNull()).isTrue();

    JsonNode timedOut =
        forwarded.stream()
            .filter(e -> e.path("event").path("tool_use_id").asText().equals("toolu_fw2"))
            .findFirst()
            .orElseThrow();
    assertThat(timedOut.get("decision").get("source").asText()).isEqualTo("fail-closed");
    assertThat(timedOut.get("decision").get("reason").asText())
        .startsWith("claude-telemetry guard unavailable");
    assertThat(StubServers.receiver().lastAuthorization())
        .isEqualTo("Bearer " + StubServers.TRANSCRIPT_TOKEN);
  }

  /**
   * The hook client sends one random key with every attempt to deliver an event (its retries, the
   * pod's hand-off later): every attempt forwards the same id, so transcript-service stores the
   * event once. The id is the user's: the same key from another user is another event.
   */
  @Test
  void shouldForwardEveryAttemptOfAKeyedEventUnderOneIdOfItsUser() {
    String session = UUID.randomUUID().toString();
    String key = UUID.randomUUID().toString().replace("-", "");
    ObjectNode stop = Fixtures.hookInput("Stop.json").put("session_id", session);
    for (String user : List.of("keyed-a", "keyed-a", "keyed-b")) {
      post(stop, user, key).then().statusCode(200);
    }
    post(stop, "keyed-a").then().statusCode(200);

    // Stored once per id, as transcript-service does: both keyed attempts of keyed-a are one event.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 3);
    Map<String, List<String>> idsByUser = new HashMap<>();
    for (JsonNode event : forwardedFor(session)) {
      idsByUser
          .computeIfAbsent(event.get("user").asText(), u -> new ArrayList<>())
          .add(event.get("id").asText());
    }
    assertThat(idsByUser.get("keyed-a")).as("one keyed event, one without a key").hasSize(2);
    assertThat(idsByUser.get("keyed-b")).hasSize(1);
    String keyedA =
        idsByUser.get("keyed-a").stream()
            .filter(id -> Collections.frequency(StubServers.receiver().acceptedIds(), id) == 2)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no id was forwarded for both keyed attempts"));
    assertThat(keyedA).isNotEqualTo(idsByUser.get("keyed-b").get(0));
    assertThat(UUID.fromString(keyedA)).isNotNull();
  }

  /**
   * A keyed event delivered twice (the client's retry after a lost answer) is one event in the
   * metrics too: the repeat is counted as a repeated delivery, not as a second event or tool call.
   * The same input without a key, or under another key, is another event.
   */
  @Test
  void shouldCountARepeatedDeliveryOfAKeyedEventOnce() {
    String user = "keyed-count";
    String key = UUID.randomUUID().toString().replace("-", "");
    ObjectNode post =
        Fixtures.hookInput("PostToolUse-Bash.json")
            .put("session_id", UUID.randomUUID().toString())
            .put("tool_use_id", "toolu_keyed_count");
    Scrape before = Scrape.now();
    for (int attempt = 0; attempt < 3; attempt++) {
      post(post, user, key).then().statusCode(200);
    }
    Scrape afterRepeats = Scrape.now();
    assertThat(bashPostToolUseEvents(afterRepeats, user) - bashPostToolUseEvents(before, user))
        .isEqualTo(1.0);
    assertThat(
            afterRepeats.value("claude_hook_repeated_deliveries_total")
                - before.value("claude_hook_repeated_deliveries_total"))
        .isEqualTo(2.0);

    String otherKey = UUID.randomUUID().toString().replace("-", "");
    post(post.put("tool_use_id", "toolu_keyed_count_2"), user, otherKey).then().statusCode(200);
    assertThat(bashPostToolUseEvents(Scrape.now(), user) - bashPostToolUseEvents(before, user))
        .isEqualTo(2.0);
  }

  private static double bashPostToolUseEvents(Scrape scrape, String user) {
    return scrape.value(
        "claude_hook_events_total", "event", "PostToolUse", "tool", "Bash", "user", user);
  }

  /**
   * A PreToolUse the pod's guard decided itself (hook-ingest unreachable) arrives later through the
   * pod's hand-off, marked with what the guard applied: it is recorded with that decision, the
   * policy is not asked (its verdict was never applied), and the answer is none. Any other value of
   * the mark is refused with a reason.
   */
  @Test
  void shouldRecordWhatThePodsGuardAppliedWithoutAskingThePolicy() {
    String session = UUID.randomUUID().toString();
    int policyRequests = StubServers.policy().requests();
    for (String applied : List.of("deny", "none")) {
      ObjectNode input =
          Fixtures.bash("PreToolUse", session, "toolu_client_" + applied, "deny rm -rf /")
              .put("claude_telemetry_client_decision", applied);
      String answer = post(input, "client-decided").then().statusCode(200).extract().asString();
      assertThat(answer).isEqualTo("{}");
    }
    assertThat(StubServers.policy().requests()).isEqualTo(policyRequests);

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 2);
    Map<String, JsonNode> byCall = new HashMap<>();
    for (JsonNode event : forwardedFor(session)) {
      byCall.put(event.path("event").path("tool_use_id").asText(), event.get("decision"));
    }
    assertThat(byCall.get("toolu_client_deny").get("verdict").asText()).isEqualTo("deny");
    assertThat(byCall.get("toolu_client_deny").get("source").asText()).isEqualTo("fail-closed");
    assertThat(byCall.get("toolu_client_deny").get("reason").asText())
        .contains("the pod's claude-guard could not ask hook-ingest");
    assertThat(byCall.get("toolu_client_none").get("verdict").asText()).isEqualTo("none");
    assertThat(byCall.get("toolu_client_none").get("source").asText()).isEqualTo("fail-open");

    ObjectNode forged =
        Fixtures.bash("PreToolUse", session, "toolu_client_allow", "ls")
            .put("claude_telemetry_client_decision", "allow");
    post(forged, "client-decided")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("claude_telemetry_client_decision"));
  }

  @ParameterizedTest
  @CsvSource({"too-short", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdefa"})
  void shouldRefuseAMalformedEventKeyWithAReason(String key) {
    post(Fixtures.hookInput("Stop.json"), null, key)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("X-Claude-Hook-Event-Key"));
  }

  @Test
  void shouldRecordWhatThePolicyDecidedInAuditMode() {
    String session = UUID.randomUUID().toString();
    // Audit mode gives Claude Code no decision; the record keeps the verdict and its reason.
    post(Fixtures.bash("PreToolUse", session, "toolu_audit", "audit rm -rf /"), null)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 1);
    JsonNode decision = forwardedFor(session).get(0).get("decision");
    assertThat(decision.get("verdict").asText()).isEqualTo("deny");
    assertThat(decision.get("mode").asText()).isEqualTo("audit");
    assertThat(decision.get("ruleId").asText()).isEqualTo("audit-rule");
    assertThat(decision.get("reason").asText()).isEqualTo("Blocked by policy rule audit-rule");
  }

  @Test
  void shouldForwardAndCountDryRunMatchesWithoutChangingTheAnswer() {
    String user = uniqueUser();
    String session = UUID.randomUUID().toString();
    Scrape before = Scrape.now();

    post(Fixtures.bash("PreToolUse", session, "toolu_dry", "dryrun ls -la"), user)
        .then()
        .statusCode(200)
        .body(equalTo("{}"));

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 1);
    JsonNode decision = forwardedFor(session).get(0).get("decision");
    assertThat(decision.get("verdict").asText()).isEqualTo("none");
    assertThat(decision.get("dryrun")).hasSize(2);
    assertThat(decision.get("dryrun").get(0).get("ruleId").asText()).isEqualTo("trial-deny");
    assertThat(decision.get("dryrun").get(0).get("verdict").asText()).isEqualTo("deny");
    assertThat(decision.get("dryrun").get(0).get("reason").asText())
        .isEqualTo("Would have been blocked by policy rule trial-deny");
    assertThat(decision.get("dryrun").get(1).get("ruleId").asText()).isEqualTo("trial-ask");
    Scrape after = Scrape.now();
    String name = "claude_hook_guard_dryrun_matches_total";
    assertThat(after.value(name, "rule", "trial-deny", "verdict", "deny", "user", user))
        .isEqualTo(before.value(name, "rule", "trial-deny", "verdict", "deny", "user", user) + 1);
    assertThat(after.value(name, "rule", "trial-ask", "verdict", "ask", "user", user))
        .isEqualTo(before.value(name, "rule", "trial-ask", "verdict", "ask", "user", user) + 1);
    assertThat(
            after.value("claude_hook_guard_decisions_total", "source", "policy", "verdict", "none")
                - before.value(
                    "claude_hook_guard_decisions_total", "source", "policy", "verdict", "none"))
        .isEqualTo(1);
  }

  @Test
  void shouldForwardNoDryRunFieldWhenThePolicyHadNone() {
    String session = UUID.randomUUID().toString();
    post(Fixtures.bash("PreToolUse", session, "toolu_nodry", "deny rm -rf /"), null)
        .then()
        .statusCode(200);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 1);
    assertThat(forwardedFor(session).get(0).get("decision").has("dryrun")).isFalse();
  }

  private static List<JsonNode> forwardedFor(String session) {
    return StubServers.receiver().events().stream()
        .filter(event -> event.path("event").path("session_id").asText().equals(session))
        .toList();
  }
}
