package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.exportTranscript;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.postEvents;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SearchAndMetricsTest {

  @Test
  void shouldFindWordsInTranscriptsAndEventsWithHighlights() throws Exception {
    String session = newSessionId();
    String word = "zanzibar" + Math.abs(session.hashCode());
    byte[] lines =
        ("{\"type\":\"user\",\"uuid\":\"u1\",\"timestamp\":\"2026-11-25T10:00:00Z\",\"message\":{\"role\":\"user\","
                + "\"content\":\"please archive the "
                + word
                + " logs & \\\"old\\\" directory\"}}\n"
                + "{\"type\":\"attachment\",\"attachment\":{\"text\":\""
                + word
                + " in boilerplate is not indexed\"}}\n")
            .getBytes(StandardCharsets.UTF_8);
    upload(session, "main", 0, lines).then().statusCode(200);
    var event = HookEventsTest.event(session, "PreToolUse-Bash.json", HookEventsTest.DENY);
    ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("event").get("tool_input"))
        .put("command", "tar czf archive.tgz " + word);
    postEvents(HookEventsTest.batch(event)).then().statusCode(200);

    reader()
        .queryParam("q", word)
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.size()", equalTo(2))
        .body("hits.source", hasItem("transcript"))
        .body("hits.source", hasItem("event"))
        .body("hits.sessionId", everyItem(equalTo(session)))
        .body(
            "hits.find { it.source == 'transcript' }.headline",
            equalTo(
                "please archive the <mark>"
                    + word
                    + "</mark> logs &amp; &quot;old&quot; directory"))
        .body("hits.find { it.source == 'transcript' }.lineNo", equalTo(1));
    reader()
        .queryParam("q", word + " -archive")
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.source", equalTo(List.of("event")));
    reader()
        .queryParam("q", word)
        .queryParam("user", "nobody")
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.size()", equalTo(0));
    reader()
        .queryParam("q", word)
        .get("/v1/sessions")
        .then()
        .statusCode(200)
        .body("sessions.id", equalTo(List.of(session)));
    reader().get("/v1/search").then().statusCode(400).body("detail", containsString("'q'"));
    reader()
        .queryParam("q", "x")
        .queryParam("limit", 5000)
        .get("/v1/search")
        .then()
        .statusCode(400);
  }

  @Test
  void shouldAnswerNewestMatchesFirstWhetherTheyAreRecentOrOld() {
    // The test profile's search window is the 3 newest lines: these 2099 lines are the newest in
    // the database.
    String session = newSessionId();
    String word = "quokka" + Math.abs(session.hashCode());
    String old = "wombat" + Math.abs(session.hashCode());
    StringBuilder lines =
        new StringBuilder(
            "{\"type\":\"user\",\"timestamp\":\"2000-01-01T00:00:00Z\","
                + "\"message\":{\"role\":\"user\",\"content\":\""
                + word
                + " "
                + old
                + "\"}}\n");
    for (int second = 1; second <= 5; second++) {
      lines
          .append("{\"type\":\"user\",\"timestamp\":\"2099-01-01T00:00:0")
          .append(second)
          .append("Z\",\"message\":{\"role\":\"user\",\"content\":\"")
          .append(word)
          .append("\"}}\n");
    }
    upload(session, "main", 0, lines.toString().getBytes(StandardCharsets.UTF_8))
        .then()
        .statusCode(200);

    reader()
        .queryParam("q", word)
        .queryParam("limit", 2)
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.lineNo", equalTo(List.of(6, 5)));
    reader()
        .queryParam("q", word)
        .queryParam("limit", 10)
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.lineNo", equalTo(List.of(6, 5, 4, 3, 2, 1)));
    reader()
        .queryParam("q", old)
        .get("/v1/search")
        .then()
        .statusCode(200)
        .body("hits.lineNo", equalTo(List.of(1)));
  }

  @Test
  void shouldCountLinesBytesEventsAndRedactionsInPrometheusFormat() throws Exception {
    double lines = metric("claude_transcript_lines_total");
    double bytesTotal = metric("claude_transcript_bytes_total");
    double hookEvents = metric("claude_audit_events_total{kind=\"hook_event\"}");
    double github = metric("claude_redactions_total{kind=\"github-pat\"}");

    String session = newSessionId();
    byte[] denials = bytes("transcripts/session-with-denials.jsonl");
    upload(session, "main", 0, denials).then().statusCode(200);
    // A retry from an offset already passed: refused, nothing new to count.
    upload(session, "main", 0, denials).then().statusCode(409);
    String secret = "ghp" + "_" + "16C7e42F292c6912E7710c838347Ae178B4a";
    byte[] leaked =
        ("{\"type\":\"user\",\"message\":{\"content\":\"my token is " + secret + "\"}}\n")
            .getBytes(StandardCharsets.UTF_8);
    upload(session, "main", denials.length, leaked).then().statusCode(200);
    postEvents(HookEventsTest.batch(HookEventsTest.event(session, "Stop.json", null)))
        .then()
        .statusCode(200);

    assertThat(metric("claude_transcript_lines_total") - lines).isEqualTo(49);
    assertThat(metric("claude_transcript_bytes_total") - bytesTotal)
        .isEqualTo(denials.length + leaked.length);
    assertThat(metric("claude_audit_events_total{kind=\"hook_event\"}") - hookEvents).isEqualTo(1);
    assertThat(metric("claude_redactions_total{kind=\"github-pat\"}") - github).isEqualTo(1);
    String exported = new String(exportTranscript(session, "main"), StandardCharsets.UTF_8);
    assertThat(exported).doesNotContain(secret).contains("my token is [REDACTED:github-pat]");
  }

  @Test
  void shouldReportTheDatabaseInReadiness() {
    Fixtures.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.name", hasItem(containsString("Database connections health check")));
  }

  private static double metric(String series) {
    String text =
        Fixtures.management()
            .header("Accept", "text/plain; version=0.0.4")
            .get("/q/metrics")
            .asString();
    return text.lines()
        .filter(l -> l.startsWith(series + " ") || l.startsWith(series.replace("}", ",")))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
