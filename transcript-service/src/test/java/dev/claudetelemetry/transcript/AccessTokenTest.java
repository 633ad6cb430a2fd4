package dev.claudetelemetry.transcript;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class AccessTokenTest {

  @Test
  void shouldRefuseWritesWithoutTheWriteToken() {
    given()
        .contentType("application/json")
        .body("{\"events\":[]}")
        .post("/v1/events")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", "Bearer")
        .body("detail", containsString("write token"));
    given()
        .header("Authorization", "Bearer " + Fixtures.READ)
        .contentType("application/json")
        .body("{\"events\":[]}")
        .post("/v1/events")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", "Bearer wrong")
        .get("/v1/transcripts/s1/files/main")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", "Bearer " + Fixtures.READ)
        .contentType("application/x-protobuf")
        .body(new byte[0])
        .post("/v1/logs")
        .then()
        .statusCode(401);
  }

  @Test
  void shouldAcceptEveryTokenOfARotation() {
    given()
        .header("Authorization", "Bearer rotated-write-token")
        .contentType("application/json")
        .body("{\"events\":[]}")
        .post("/v1/events")
        .then()
        .statusCode(200)
        .body("accepted", equalTo(0));
  }

  @Test
  void shouldRefuseReadsWithoutTheReadToken() {
    given().get("/v1/sessions").then().statusCode(401).body("detail", containsString("read token"));
    given()
        .header("Authorization", "Bearer " + Fixtures.WRITE)
        .get("/v1/sessions")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", "Bearer " + Fixtures.WRITE)
        .get("/v1/search?q=x")
        .then()
        .statusCode(401);
    given().redirects().follow(false).get("/sessions").then().statusCode(401);
    Fixtures.reader().get("/v1/sessions").then().statusCode(200);
  }

  @Test
  void shouldLetTheViewerTakeTheTokenOnceAndKeepItInAnHttpOnlyCookie() {
    var redirect =
        given().redirects().follow(false).get("/sessions?token=" + Fixtures.READ + "&user=alice");
    redirect
        .then()
        .statusCode(303)
        .header("Location", endsWith("/sessions?user=alice"))
        .header("Set-Cookie", containsString("HttpOnly"));
    String cookie = redirect.getCookie("claude_telemetry_read");
    given()
        .cookie("claude_telemetry_read", cookie)
        .get("/sessions")
        .then()
        .statusCode(200)
        .contentType(containsString("text/html"));
    given().redirects().follow(false).get("/sessions?token=wrong").then().statusCode(401);
  }

  @Test
  void shouldTakeTheViewersCookieBesideAnotherAuthorizationScheme() {
    // An ingress with basic auth in front of the viewer passes its own header on.
    given()
        .header("Authorization", "Basic dXNlcjpwYXNzd29yZA==")
        .cookie("claude_telemetry_read", Fixtures.READ)
        .get("/sessions")
        .then()
        .statusCode(200);
    given()
        .header("Authorization", "Basic dXNlcjpwYXNzd29yZA==")
        .get("/sessions")
        .then()
        .statusCode(401);
  }

  @Test
  void shouldLeaveHealthAndMetricsOpenForProbesAndPrometheus() {
    Fixtures.management().get("/q/health/ready").then().statusCode(200);
    Fixtures.management().get("/q/metrics").then().statusCode(200);
  }

  @Test
  void shouldServeMetricsAndHealthOnlyOnTheManagementPort() {
    // The workspaces reach the main port; the metrics count every user's activity.
    for (String path : new String[] {"/q/metrics", "/q/health", "/q/health/ready"}) {
      RestAssured.get(path).then().statusCode(404);
      given().header("Authorization", "Bearer " + Fixtures.READ).get(path).then().statusCode(404);
    }
  }
}
