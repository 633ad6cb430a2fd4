package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.exportTranscript;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.postEvents;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static dev.claudetelemetry.transcript.UserTokensResource.ALICE;
import static dev.claudetelemetry.transcript.UserTokensResource.BOB;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Per-user tokens against the real service and a real PostgreSQL: the forgeries an agent in alice's
 * pod can try with the token from its own drop-in, each refused, and the legitimate uploads around
 * them unharmed.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = UserTokensResource.class, restrictToAnnotatedClass = false)
class UserTokenAccessTest {

  private static final byte[] BOB_TRANSCRIPT =
      ("{\"type\":\"user\",\"uuid\":\"b1\",\"sessionId\":\"s\",\"message\":{\"role\":\"user\","
              + "\"content\":\"bob's first prompt\"}}\n"
              + "{\"type\":\"assistant\",\"uuid\":\"b2\",\"message\":{\"role\":\"assistant\","
              + "\"content\":[{\"type\":\"text\",\"text\":\"bob's first answer\"}]}}\n"
              + "{\"type\":\"user\",\"uuid\":\"b3\",\"message\":{\"role\":\"user\","
              + "\"content\":\"bob's second prompt\"}}\n")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] FORGED =
      ("{\"type\":\"user\",\"uuid\":\"forged\",\"message\":{\"role\":\"user\","
              + "\"content\":\"bob asked to delete everything\"}}\n")
          .getBytes(StandardCharsets.UTF_8);

  private static Response upload(
      String token, String user, String session, long offset, byte[] body) {
    var request =
        given()
            .header("Authorization", "Bearer " + token)
            .contentType("application/octet-stream")
            .body(body);
    if (user != null) {
      request.header("X-Claude-Telemetry-User", user);
    }
    return request.post("/v1/transcripts/{s}/files/main?offset=" + offset, session);
  }

  private static Response offset(String token, String session) {
    return given()
        .header("Authorization", "Bearer " + token)
        .get("/v1/transcripts/{s}/files/main", session);
  }

  private static double denied(String reason) {
    return metric("claude_transcript_access_denied_total{reason=\"" + reason + "\"");
  }

  private static double metric(String prefix) {
    return Fixtures.management()
        .header("Accept", "text/plain; version=0.0.4")
        .get("/q/metrics")
        .asString()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void shouldKeepAliceOutOfBobsTranscriptAndLetBobsNextSyncContinue() {
    String session = newSessionId();
    int firstPart = indexAfterLine(BOB_TRANSCRIPT, 2);
    upload(BOB, "bob", session, 0, Arrays.copyOf(BOB_TRANSCRIPT, firstPart))
        .then()
        .statusCode(200)
        .body("offset", equalTo(firstPart));
    double notOwner = denied("not_owner");

    // alice reads the offset of bob's transcript: refused.
    offset(ALICE, session)
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://claude-telemetry.dev/problems/not-session-owner"));
    // ... and appends a forged line where bob's next bytes would go, with and without a header.
    upload(ALICE, null, session, firstPart, FORGED).then().statusCode(403);
    upload(ALICE, "alice", session, firstPart, FORGED).then().statusCode(403);
    // ... and at offset 0, a new file of bob's session.
    given()
        .header("Authorization", "Bearer " + ALICE)
        .contentType("application/octet-stream")
        .body(FORGED)
        .post("/v1/transcripts/{s}/files/agent-forged?offset=0", session)
        .then()
        .statusCode(403);

    assertThat(denied("not_owner") - notOwner).isEqualTo(4);
    assertThat(exportTranscript(session, "main"))
        .as("bob's file unchanged")
        .isEqualTo(Arrays.copyOf(BOB_TRANSCRIPT, firstPart));
    assertThat(sql("SELECT count(*) FROM transcript_files WHERE session_id = '" + session + "'"))
        .isEqualTo("1");

    // bob's next sync: the offset he gets back is his own, and the rest of his file follows it.
    offset(BOB, session).then().statusCode(200).body("offset", equalTo(firstPart));
    upload(
            BOB,
            "bob",
            session,
            firstPart,
            Arrays.copyOfRange(BOB_TRANSCRIPT, firstPart, BOB_TRANSCRIPT.length))
        .then()
        .statusCode(200)
        .body("offset", equalTo(BOB_TRANSCRIPT.length))
        .body("linesStored", equalTo(1));
    assertThat(exportTranscript(session, "main")).isEqualTo(BOB_TRANSCRIPT);
    assertThat(sql("SELECT transcript_owner FROM sessions WHERE id = '" + session + "'"))
        .isEqualTo("bob");
    assertThat(sql("SELECT user_name FROM sessions WHERE id = '" + session + "'")).isEqualTo("bob");
  }

  @Test
  void shouldRefuseAlicesTokenOnTheServiceApis() {
    String session = newSessionId();
    double before = denied("user_token_on_service_api");
    String batch =
        "{\"events\":[{\"id\":\"forged-1\",\"receivedAt\":\"2026-12-07T06:00:00Z\",\"user\":\"bob\","
            + "\"event\":{\"hook_event_name\":\"PreToolUse\",\"session_id\":\""
            + session
            + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"rm -rf /\"}},"
            + "\"decision\":{\"verdict\":\"allow\",\"ruleId\":\"x\",\"mode\":\"enforce\","
            + "\"source\":\"policy\",\"reason\":\"forged\"}}]}";

    given()
        .header("Authorization", "Bearer " + ALICE)
        .contentType("application/json")
        .body(batch)
        .post("/v1/events")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("detail", containsString("service token"));
    given()
        .header("Authorization", "Bearer " + ALICE)
        .contentType("application/x-protobuf")
        .body(new byte[0])
        .post("/v1/logs")
        .then()
        .statusCode(403);
    // However the path is spelled, a user token never reaches the events API.
    for (String path :
        new String[] {"/v1/transcripts/../events", "/v1/transcripts/%2E%2E/events"}) {
      int status =
          given()
              .urlEncodingEnabled(false)
              .header("Authorization", "Bearer " + ALICE)
              .contentType("application/json")
              .body(batch)
              .post(path)
              .statusCode();
      assertThat(status).as(path).isIn(403, 404);
    }

    assertThat(denied("user_token_on_service_api") - before).isGreaterThanOrEqualTo(2);
    assertThat(sql("SELECT count(*) FROM hook_events WHERE session_id = '" + session + "'"))
        .isEqualTo("0");
    assertThat(sql("SELECT count(*) FROM sessions WHERE id = '" + session + "'")).isEqualTo("0");
    // The service token still writes events: hook-ingest and the collector are unaffected.
    postEvents(batch.replace("forged-1", "service-" + session))
        .then()
        .statusCode(200)
        .body("accepted", equalTo(1));
  }

  @Test
  void shouldStoreAnUploadAsItsTokensUserWhateverTheHeaderSays() {
    String session = newSessionId();
    double mismatch = metric("claude_transcript_user_header_mismatches_total");

    offset(ALICE, session).then().statusCode(200).body("offset", equalTo(0));
    upload(ALICE, "bob", session, 0, BOB_TRANSCRIPT).then().statusCode(200);

    assertThat(metric("claude_transcript_user_header_mismatches_total") - mismatch).isEqualTo(1);
    assertThat(sql("SELECT user_name FROM sessions WHERE id = '" + session + "'"))
        .isEqualTo("alice");
    offset(ALICE, session).then().statusCode(200).body("offset", equalTo(BOB_TRANSCRIPT.length));
    offset(BOB, session).then().statusCode(403);
    assertThat(sql("SELECT transcript_owner FROM sessions WHERE id = '" + session + "'"))
        .isEqualTo("alice");
    // A user token is no read token.
    given()
        .header("Authorization", "Bearer " + ALICE)
        .get("/v1/sessions/{id}", session)
        .then()
        .statusCode(401);
  }

  @Test
  void shouldStillAcceptTheServiceTokenForUploadsOfAnySession() {
    String session = newSessionId();
    upload(BOB, "bob", session, 0, Arrays.copyOf(BOB_TRANSCRIPT, indexAfterLine(BOB_TRANSCRIPT, 1)))
        .then()
        .statusCode(200);

    writer().get("/v1/transcripts/{s}/files/main", session).then().statusCode(200);
  }

  @Test
  void shouldFollowARotatedUserTokenWithoutARestart() {
    String rotated = "alice-rotated-token-0d9e3b";
    String session = newSessionId();
    try {
      UserTokensResource.mount().write(Map.of("alice", rotated, "bob", BOB));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> offset(rotated, session).statusCode() == 200);
      offset(ALICE, session).then().statusCode(401);
    } finally {
      UserTokensResource.mount().write(UserTokensResource.TOKENS);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> offset(ALICE, session).statusCode() == 200);
    }
  }

  private static int indexAfterLine(byte[] bytes, int lines) {
    int seen = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && ++seen == lines) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("fewer lines");
  }
}
