package dev.claudetelemetry.policy.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.claudetelemetry.policy.decisions.DecisionResourceTest;
import dev.claudetelemetry.policy.decisions.MetricsAndHealthTest;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(TokenAuthTest.WithToken.class)
class TokenAuthTest {

  public static class WithToken implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("policy.service-token", "s3cret-token");
    }
  }

  @Test
  void shouldRefuseMissingAndWrongTokens() throws IOException {
    String body = DecisionResourceTest.fixture("PreToolUse-Bash.json");
    DecisionResourceTest.assertProblem(
        given().contentType(ContentType.JSON).body(body).post("/v1/decisions"), 401, "Bearer");
    DecisionResourceTest.assertProblem(
        given()
            .header("Authorization", "Bearer wrong")
            .contentType(ContentType.JSON)
            .body(body)
            .post("/v1/decisions"),
        401,
        "Bearer");
    DecisionResourceTest.assertProblem(
        given().header("Authorization", "Bearer s3cret-token-and-more").get("/v1/policy"),
        401,
        "Bearer");
    given()
        .get("/v1/policy")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer realm=\"policy-service\"")
        .body("type", equalTo(ProblemType.UNAUTHORIZED.uri()));
  }

  @Test
  void shouldCheckTheTokenBeforeTheBodySize() {
    given()
        .contentType(ContentType.JSON)
        .body(new byte[2 * 1024 * 1024])
        .post("/v1/decisions")
        .then()
        .statusCode(401);
  }

  @Test
  void shouldAcceptTheRightToken() throws IOException {
    given()
        .header("Authorization", "Bearer s3cret-token")
        .contentType(ContentType.JSON)
        .body(DecisionResourceTest.fixture("PreToolUse-Bash.json"))
        .post("/v1/decisions")
        .then()
        .statusCode(200)
        .body("policy.verdict", equalTo("none"));
    given().header("Authorization", "bearer s3cret-token").get("/v1/policy").then().statusCode(200);
  }

  @Test
  void shouldLeaveHealthAndMetricsOpen() {
    MetricsAndHealthTest.management().get("/q/health/ready").then().statusCode(200);
    MetricsAndHealthTest.management().get("/q/metrics").then().statusCode(200);
  }
}
