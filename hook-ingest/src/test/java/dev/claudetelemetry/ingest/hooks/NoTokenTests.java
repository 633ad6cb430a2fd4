package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Scrape;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without HOOK_INGEST_TOKEN the service is never open: every hook post is a counted 401. */
@QuarkusTest
@TestProfile(NoTokenTests.NoToken.class)
class NoTokenTests {

  public static class NoToken implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ingest.token", "", "ingest.forward.url", "");
    }
  }

  @Test
  void shouldRefuseEveryHookPost() {
    Scrape before = Scrape.now();
    for (String authorization : new String[] {"Bearer ", "Bearer anything", "Bearer null"}) {
      given()
          .header("Authorization", authorization)
          .contentType("application/json")
          .body(Fixtures.hookInput("Stop.json").toString())
          .post("/v1/hooks")
          .then()
          .statusCode(401)
          .body("detail", containsString("no HOOK_INGEST_TOKEN"));
    }
    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_ingest_rejected_total", "reason", "unauthorized")
                - before.value("claude_hook_ingest_rejected_total", "reason", "unauthorized"))
        .isEqualTo(3);
    assertThat(
            after.value(
                "claude_hook_events_total", "event", "Stop", "tool", "none", "user", "unknown"))
        .isZero();
    Scrape.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.authentication", containsString("every hook post is refused"));
  }
}
