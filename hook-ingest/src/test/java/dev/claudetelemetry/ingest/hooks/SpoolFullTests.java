package dev.claudetelemetry.ingest.hooks;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.claudetelemetry.ingest.support.Fixtures;
import dev.claudetelemetry.ingest.support.Scrape;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The spool on, transcript-service never reachable, and a spool bound of 32 KiB: observational
 * events are answered 200 while they are recorded, then 503 (not recorded, counted) once the spool
 * is full, and the guard still answers every PreToolUse.
 */
@QuarkusTest
@TestProfile(SpoolFullTests.Full.class)
class SpoolFullTests {

  static final String TOKEN = "spool-token";
  static final long LIMIT = 32 * 1024;

  public static class Full implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        return Map.of(
            "ingest.token",
            TOKEN,
            "ingest.guard.policy-url",
            "http://127.0.0.1:" + closedPort(),
            "ingest.forward.url",
            "http://127.0.0.1:" + closedPort(),
            "ingest.forward.spool.dir",
            Files.createTempDirectory("spool-full-tests").toString(),
            "ingest.forward.spool.max-bytes",
            Long.toString(LIMIT));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Response post(String body) {
    return given()
        .header("Authorization", "Bearer " + TOKEN)
        .contentType("application/json")
        .body(body)
        .post("/v1/hooks");
  }

  @Test
  void shouldAnswerNotRecordedOnceFullAndKeepGuarding() {
    Scrape before = Scrape.now();
    String event = Fixtures.hookInput("PostToolUse-Bash.json").toString();
    int recorded = 0;
    Response answer = post(event);
    while (answer.statusCode() == 200) {
      assertThat(answer.asString()).isEqualTo("{}");
      recorded++;
      assertThat(recorded).as("the spool is bounded").isLessThan(1000);
      answer = post(event);
    }
    answer
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .body("type", equalTo("https://claude-telemetry.dev/problems/not-recorded"))
        .body("detail", startsWith("hook-ingest's spool is full"));
    post(event).then().statusCode(503);
    assertThat(recorded).isGreaterThan(3);

    post(Fixtures.bash("PreToolUse", UUID.randomUUID().toString(), "toolu_full", "ls").toString())
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"));

    Scrape after = Scrape.now();
    assertThat(
            after.value("claude_hook_forward_dropped_total", "reason", "spool_full")
                - before.value("claude_hook_forward_dropped_total", "reason", "spool_full"))
        .as("the two refused events and the PreToolUse that did not fit either")
        .isEqualTo(3);
    assertThat(after.value("claude_hook_spool_bytes")).isBetween(1.0, (double) LIMIT);
    assertThat(after.value("claude_hook_spool_limit_bytes")).isEqualTo((double) LIMIT);
    assertThat(after.value("claude_hook_forward_buffer_events")).isEqualTo(recorded);
    assertThat(after.value("claude_hook_spool_written_events_total")).isEqualTo(recorded);
    Scrape.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.backlog", startsWith("spool in "));
  }
}
