package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Scrape;
import dev.claudetelemetry.ingest.support.StubServers;
import dev.claudetelemetry.testsupport.SecretMount;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * One token per user ({@code CLAUDE_TELEMETRY_USER_TOKENS_DIR}, a Secret-style mount): the forgery
 * attempts an agent in alice's pod can make with the token from its own drop-in, against the real
 * service. The shared {@code HOOK_INGEST_TOKEN} is configured too and must no longer open anything.
 */
@QuarkusTest
@WithTestResource(StubServers.class)
@TestProfile(UserTokenTests.UserTokens.class)
class UserTokenTests {

  static final String ALICE = "alice-own-token-5b1c0e9a7d";
  static final String BOB = "bob-own-token-c83f27d41e";
  static final SecretMount MOUNT;

  /** The chart's user→team ConfigMap, mounted the same way: alice is in platform, bob in none. */
  static final SecretMount TEAMS;

  static final String TEAMS_KEY = "user-teams.json";

  static {
    try {
      MOUNT =
          new SecretMount(Files.createTempDirectory("user-tokens").resolve("mount"))
              .write(Map.of("alice", ALICE + "\n", "bob", BOB + "\n"));
      TEAMS =
          new SecretMount(Files.createTempDirectory("user-teams").resolve("mount"))
              .write(Map.of(TEAMS_KEY, "{\"alice\": \"platform\"}"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static class UserTokens implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "ingest.user-tokens-dir",
          MOUNT.dir().toString(),
          "ingest.user-tokens-refresh",
          "50ms",
          "ingest.user-teams",
          TEAMS.dir().resolve(TEAMS_KEY).toString(),
          "ingest.user-teams-refresh",
          "50ms");
    }
  }

  private static Response post(String token, String userHeader, Object body) {
    var request =
        given()
            .header("Authorization", "Bearer " + token)
            .contentType("application/json")
            .body(body.toString());
    if (userHeader != null) {
      request.header("X-Claude-Telemetry-User", userHeader);
    }
    return request.post("/v1/hooks");
  }

  private static JsonNode prompt(String session) {
    var input = Fixtures.hookInput("UserPromptSubmit.json");
    input.put("session_id", session);
    return input;
  }

  private static double prompts(Scrape scrape, String user) {
    return scrape.value("claude_prompts_total", "user", user);
  }

  private static double rejected(Scrape scrape, String reason) {
    return scrape.value("claude_hook_ingest_rejected_total", "reason", reason);
  }

  @Test
  void shouldCountAsTheTokensUserWithOrWithoutTheMatchingHeader() {
    Scrape before = Scrape.now();

    post(ALICE, null, prompt(UUID.randomUUID().toString())).then().statusCode(200);
    post(ALICE, "alice", prompt(UUID.randomUUID().toString())).then().statusCode(200);
    post(ALICE, " Alice ", prompt(UUID.randomUUID().toString())).then().statusCode(200);
    post(BOB, "bob", prompt(UUID.randomUUID().toString())).then().statusCode(200);

    Scrape after = Scrape.now();
    assertThat(prompts(after, "alice") - prompts(before, "alice")).isEqualTo(3);
    assertThat(prompts(after, "bob") - prompts(before, "bob")).isEqualTo(1);
  }

  @Test
  void shouldCountAlicesTokenSpeakingAsBobAsAliceAndCountTheAttempt() {
    String session = UUID.randomUUID().toString();
    Scrape before = Scrape.now();

    post(ALICE, "bob", prompt(session)).then().statusCode(200);
    // A guarded event too: the policy still decides, and the call counts as alice's.
    post(ALICE, "bob", Fixtures.bash("PreToolUse", session, "toolu_forged", "deny rm -rf /"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"));

    Scrape after = Scrape.now();
    assertThat(prompts(after, "bob") - prompts(before, "bob")).as("bob's count").isZero();
    assertThat(prompts(after, "alice") - prompts(before, "alice")).isEqualTo(1);
    assertThat(
            after.value(
                    "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", "alice")
                - before.value(
                    "claude_tool_calls_total",
                    "tool",
                    "Bash",
                    "outcome",
                    "denied",
                    "user",
                    "alice"))
        .isEqualTo(1);
    assertThat(
            after.value(
                    "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", "bob")
                - before.value(
                    "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", "bob"))
        .isZero();
    assertThat(
            after.value("claude_hook_user_header_mismatches_total", "user", "alice")
                - before.value("claude_hook_user_header_mismatches_total", "user", "alice"))
        .isEqualTo(2);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 2);
    assertThat(forwardedFor(session))
        .as("forwarded to the audit trail as alice's")
        .allSatisfy(event -> assertThat(event.get("user").asText()).isEqualTo("alice"));
  }

  @Test
  void shouldForwardTheTokensUserNotTheHeaderDefault() {
    String session = UUID.randomUUID().toString();

    post(ALICE, null, prompt(session)).then().statusCode(200);

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> forwardedFor(session).size() == 1);
    assertThat(forwardedFor(session).get(0).get("user").asText()).isEqualTo("alice");
  }

  @Test
  void shouldRefuseTheSharedTokenAndUnknownTokens() {
    Scrape before = Scrape.now();

    post(StubServers.TOKEN, "bob", prompt(UUID.randomUUID().toString()))
        .then()
        .statusCode(401)
        .body("detail", equalTo("the bearer token is not valid"));
    post(StubServers.TRANSCRIPT_TOKEN, "bob", prompt(UUID.randomUUID().toString()))
        .then()
        .statusCode(401);
    post(ALICE + "x", null, prompt(UUID.randomUUID().toString())).then().statusCode(401);

    Scrape after = Scrape.now();
    assertThat(rejected(after, "unauthorized") - rejected(before, "unauthorized")).isEqualTo(3);
    assertThat(prompts(after, "bob") - prompts(before, "bob")).isZero();
    Scrape.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.authentication", containsString("per-user tokens from"));
  }

  @Test
  void shouldAcceptARotatedTokenAndRefuseTheOldOneWithoutARestart() {
    String rotated = "alice-rotated-token-91d0f2";
    try {
      MOUNT.write(Map.of("alice", rotated + "\n", "bob", BOB + "\n"));

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> post(rotated, null, prompt("rotation")).statusCode() == 200);
      post(ALICE, null, prompt("rotation")).then().statusCode(401);
      post(BOB, null, prompt("rotation")).then().statusCode(200);

      // A user whose token is copied into another user's file is refused for both.
      MOUNT.write(Map.of("alice", rotated, "bob", rotated));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> post(rotated, null, prompt("rotation")).statusCode() == 401);
      post(BOB, null, prompt("rotation")).then().statusCode(401);
    } finally {
      MOUNT.write(Map.of("alice", ALICE + "\n", "bob", BOB + "\n"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> post(ALICE, null, prompt("rotation")).statusCode() == 200);
    }
  }

  @Test
  void shouldLabelEachUsersMetricsWithTheTeamTheChartGaveThemWhateverTheRequestSays() {
    String session = UUID.randomUUID().toString();
    Scrape before = Scrape.now();

    // alice's agent claims another team every way it can: a header, a body field, bob's name.
    given()
        .header("Authorization", "Bearer " + ALICE)
        .header("X-Claude-Telemetry-Team", "finance")
        .contentType("application/json")
        .body(((ObjectNode) prompt(session)).put("team", "finance").toString())
        .post("/v1/hooks")
        .then()
        .statusCode(200);
    post(ALICE, "bob", Fixtures.bash("PreToolUse", session, "toolu_team", "deny rm -rf /"))
        .then()
        .statusCode(200);
    post(BOB, null, prompt(session)).then().statusCode(200);

    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_prompts_total", "user", "alice", "team", "platform")
                - before.value("claude_prompts_total", "user", "alice", "team", "platform"))
        .isEqualTo(1);
    assertThat(
            after.value("claude_prompts_total", "user", "bob", "team", "none")
                - before.value("claude_prompts_total", "user", "bob", "team", "none"))
        .isEqualTo(1);
    assertThat(
            after.value("claude_tool_calls_total", "user", "alice", "team", "platform")
                - before.value("claude_tool_calls_total", "user", "alice", "team", "platform"))
        .isEqualTo(1);
    assertThat(
            after.value(
                    "claude_hook_events_total",
                    "event",
                    "PreToolUse",
                    "user",
                    "alice",
                    "team",
                    "platform")
                - before.value(
                    "claude_hook_events_total",
                    "event",
                    "PreToolUse",
                    "user",
                    "alice",
                    "team",
                    "platform"))
        .isEqualTo(1);
    assertThat(
            after.value(
                    "claude_hook_user_header_mismatches_total", "user", "alice", "team", "platform")
                - before.value(
                    "claude_hook_user_header_mismatches_total",
                    "user",
                    "alice",
                    "team",
                    "platform"))
        .isEqualTo(1);
    assertThat(after.value("claude_prompts_total", "team", "finance")).isZero();
    assertThat(after.value("claude_hook_events_total", "team", "finance")).isZero();
  }

  @Test
  void shouldMoveAUserToAnotherTeamWhenTheMountedFileChangesWithoutARestart() {
    try {
      TEAMS.write(Map.of(TEAMS_KEY, "{\"alice\": \"data\", \"bob\": \"platform\"}"));
      awaitBobsPromptsCountedFor("platform");
      Scrape before = Scrape.now();
      post(ALICE, null, prompt(UUID.randomUUID().toString())).then().statusCode(200);
      assertThat(
              Scrape.now().value("claude_prompts_total", "user", "alice", "team", "data")
                  - before.value("claude_prompts_total", "user", "alice", "team", "data"))
          .isEqualTo(1);
    } finally {
      TEAMS.write(Map.of(TEAMS_KEY, "{\"alice\": \"platform\"}"));
      awaitBobsPromptsCountedFor("none");
    }
  }

  /** Posts bob's prompts until one is counted under {@code team}: the file has been read again. */
  private static void awaitBobsPromptsCountedFor(String team) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Scrape before = Scrape.now();
              post(BOB, null, prompt(UUID.randomUUID().toString())).then().statusCode(200);
              return Scrape.now().value("claude_prompts_total", "user", "bob", "team", team)
                  > before.value("claude_prompts_total", "user", "bob", "team", team);
            });
  }

  private static List<JsonNode> forwardedFor(String session) {
    return StubServers.receiver().events().stream()
        .filter(event -> event.path("event").path("session_id").asText().equals(session))
        .toList();
  }
}
