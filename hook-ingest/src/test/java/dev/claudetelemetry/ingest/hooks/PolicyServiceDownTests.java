package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Scrape;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * policy-service not listening (connection refused) and no transcript-service configured: the guard
 * denies with a clear reason, everything else keeps working, and health says forwarding is off.
 */
@QuarkusTest
@TestProfile(PolicyServiceDownTests.Down.class)
class PolicyServiceDownTests {

  static final String TOKEN = "down-token";

  public static class Down implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "ingest.token",
          TOKEN,
          "ingest.guard.policy-url",
          "http://127.0.0.1:" + closedPort(),
          "ingest.guard.contact",
          "#platform-help on Slack",
          "ingest.forward.url",
          "");
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void shouldDenyWithAReasonNamingTheGuardAndWhomToCall() {
    Scrape before = Scrape.now();
    given()
        .header("Authorization", "Bearer " + TOKEN)
        .contentType("application/json")
        .body(
            Fixtures.bash("PreToolUse", UUID.randomUUID().toString(), "toolu_x", "rm -rf /")
                .toString())
        .post("/v1/hooks")
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body(
            "hookSpecificOutput.permissionDecisionReason",
            startsWith("claude-telemetry guard unavailable: policy-service could not be reached"))
        .body(
            "hookSpecificOutput.permissionDecisionReason",
            containsString("Contact #platform-help on Slack."));
    given()
        .header("Authorization", "Bearer " + TOKEN)
        .contentType("application/json")
        .body(Fixtures.hookInput("PostToolUse-Bash.json").toString())
        .post("/v1/hooks")
        .then()
        .statusCode(200)
        .body(equalTo("{}"));
    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_guard_failures_total", "reason", "unreachable")
                - before.value("claude_hook_guard_failures_total", "reason", "unreachable"))
        .isEqualTo(1);
  }

  @Test
  void shouldSayInHealthThatForwardingIsOff() {
    Scrape.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.forwarding", startsWith("off"))
        .body("checks[0].data.failMode", equalTo("closed"))
        .body("checks[0].data.authentication", equalTo("bearer token required"));
  }
}
