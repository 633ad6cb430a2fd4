package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.UserTokensResource.ALICE;
import static dev.claudetelemetry.transcript.UserTokensResource.BOB;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.transcript.auth.Roles;
import dev.claudetelemetry.transcript.auth.TokenAuthenticationMechanism;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint ({@link Endpoint}) called with every kind of credential, against the real service
 * and PostgreSQL: the statuses are those docs/contracts.md promises, and every refusal is a problem
 * that says why.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = UserTokensResource.class, restrictToAnnotatedClass = false)
class EndpointAccessTest {

  /** What a caller can present. */
  enum Credential {
    NONE(null),
    WRONG(null),
    USER(Roles.USER),
    OTHER_USER(Roles.USER),
    READ(Roles.READER),
    WRITE(Roles.SERVICE),
    COOKIE(Roles.VIEWER);

    final String role;

    Credential(String role) {
      this.role = role;
    }
  }

  private static final byte[] LINE =
      "{\"type\":\"user\",\"uuid\":\"u1\",\"message\":{\"role\":\"user\",\"content\":\"hello\"}}\n"
          .getBytes(StandardCharsets.UTF_8);

  /** A session alice's own token uploaded first: alice owns it. */
  private static String alicesSession;

  static List<Arguments> calls() {
    List<Arguments> calls = new ArrayList<>();
    for (Endpoint endpoint : Endpoint.values()) {
      for (Credential credential : Credential.values()) {
        calls.add(Arguments.of(endpoint, credential));
      }
    }
    return calls;
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("calls")
  void shouldAnswerEveryCredentialAsPromised(Endpoint endpoint, Credential credential) {
    int expected = expectedStatus(endpoint, credential);

    Response response = call(endpoint, with(credential));

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(expected);
    if (expected == 401 || expected == 403) {
      assertThat(response.contentType()).startsWith("application/problem+json");
      assertThat(response.jsonPath().getInt("status")).isEqualTo(expected);
      assertThat(response.jsonPath().getString("type"))
          .startsWith("https://claude-telemetry.dev/problems/");
      assertThat(response.jsonPath().getString("detail")).isNotBlank();
    }
    if (expected == 401) {
      assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
  }

  /**
   * The role the credential carries opens the endpoint or not; a user token on a service API is 403
   * (counted), on any other API it is no credential (401); another user's session is 403.
   */
  private static int expectedStatus(Endpoint endpoint, Credential credential) {
    if (credential.role != null && endpoint.roles.contains(credential.role)) {
      return credential == Credential.OTHER_USER ? 403 : 200;
    }
    if (Roles.USER.equals(credential.role) && endpoint.roles.contains(Roles.SERVICE)) {
      return 403;
    }
    return 401;
  }

  private static RequestSpecification with(Credential credential) {
    RequestSpecification request = given().redirects().follow(false);
    return switch (credential) {
      case NONE -> request;
      case WRONG -> request.header("Authorization", "Bearer not-a-token-of-this-service");
      case USER -> request.header("Authorization", "Bearer " + ALICE);
      case OTHER_USER -> request.header("Authorization", "Bearer " + BOB);
      case READ -> request.header("Authorization", "Bearer " + Fixtures.READ);
      case WRITE -> request.header("Authorization", "Bearer " + Fixtures.WRITE);
      case COOKIE -> request.cookie(TokenAuthenticationMechanism.VIEWER_COOKIE, Fixtures.READ);
    };
  }

  private static Response call(Endpoint endpoint, RequestSpecification request) {
    String session = alicesSession();
    return switch (endpoint) {
      case UPLOAD_STATUS -> request.get("/v1/transcripts/{s}/files/main", session);
      case UPLOAD ->
          request
              .header("X-Claude-Telemetry-User", "alice")
              .contentType("application/octet-stream")
              .body(LINE)
              .post(
                  "/v1/transcripts/{s}/files/main?offset=" + acknowledgedOffset(session), session);
      case EVENTS ->
          request.contentType("application/json").body("{\"events\":[]}").post("/v1/events");
      case LOGS -> request.contentType("application/x-protobuf").body(new byte[0]).post("/v1/logs");
      case SESSIONS -> request.get("/v1/sessions");
      case SESSION -> request.get("/v1/sessions/{id}", session);
      case SESSION_TRANSCRIPT -> request.get("/v1/sessions/{id}/transcript", session);
      case SEARCH -> request.get("/v1/search?q=hello");
      case TOOL_CALLS -> request.get("/v1/tool-calls?since=2026-01-01T00:00:00Z");
      case VIEWER_LIST -> request.get("/sessions");
      case VIEWER_SESSION -> request.get("/sessions/{id}", session);
      case VIEWER_TRANSCRIPT -> request.get("/sessions/{id}/transcript", session);
    };
  }

  /** Where the next upload must start: any other offset is a 409, whoever sends it. */
  private static long acknowledgedOffset(String session) {
    return Fixtures.writer()
        .get("/v1/transcripts/{s}/files/main", session)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("offset");
  }

  private static synchronized String alicesSession() {
    if (alicesSession == null) {
      String session = Fixtures.newSessionId();
      given()
          .header("Authorization", "Bearer " + ALICE)
          .contentType("application/octet-stream")
          .body(LINE)
          .post("/v1/transcripts/{s}/files/main?offset=0", session)
          .then()
          .statusCode(200);
      alicesSession = session;
    }
    return alicesSession;
  }
}
