package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.transcript.retention.RetentionJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RetentionTest {
  @Inject RetentionJob retention;

  @Test
  void shouldDeleteOldSessionsBeyondOneBatchWithEverythingTheyOwnAndCountThem() throws Exception {
    String[] old = new String[5];
    for (int i = 0; i < old.length; i++) {
      old[i] = newSessionId();
      upload(old[i], "main", 0, bytes("transcripts/subagent.jsonl")).then().statusCode(200);
      sql(
          "UPDATE sessions SET last_activity_at = now() - interval '400 days' WHERE id = '"
              + old[i]
              + "'");
    }
    String recent = newSessionId();
    upload(recent, "main", 0, bytes("transcripts/subagent.jsonl")).then().statusCode(200);
    double before = deletedCounter();

    // more old sessions than the test profile's batch size (2), so the loop must go past one batch
    int deleted = retention.purge(Instant.now().minus(Duration.ofDays(90)));

    assertThat(deleted).isGreaterThanOrEqualTo(5);
    for (String id : old) {
      assertThat(sql("SELECT count(*) FROM sessions WHERE id = '" + id + "'")).isEqualTo("0");
      assertThat(sql("SELECT count(*) FROM transcript_lines WHERE session_id = '" + id + "'"))
          .isEqualTo("0");
      assertThat(sql("SELECT count(*) FROM transcript_files WHERE session_id = '" + id + "'"))
          .isEqualTo("0");
    }
    assertThat(sql("SELECT count(*) FROM transcript_lines WHERE session_id = '" + recent + "'"))
        .isEqualTo("24");
    assertThat(deletedCounter() - before).isEqualTo(deleted);
  }

  private static double deletedCounter() {
    String metrics =
        Fixtures.management().header("Accept", "text/plain").get("/q/metrics").asString();
    return metrics
        .lines()
        .filter(l -> l.startsWith("claude_retention_deleted_sessions_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
