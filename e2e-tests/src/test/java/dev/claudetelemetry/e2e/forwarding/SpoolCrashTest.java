package dev.claudetelemetry.e2e.forwarding;

import static dev.claudetelemetry.e2e.forwarding.HookPosts.metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.testsupport.FreePorts;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's promise with the real jars, a real PostgreSQL and a real SIGKILL: 300 PostToolUse
 * events answered 200 while transcript-service is not running, hook-ingest killed with SIGKILL,
 * transcript-service started, hook-ingest started again on the same HOOK_INGEST_SPOOL_DIR: all 300
 * are in PostgreSQL, each once.
 */
class SpoolCrashTest {

  private static final String INGEST_TOKEN = "spool-crash-ingest-token";
  private static final String WRITE_TOKEN = "spool-crash-write-token";
  private static final int TOTAL = 300;
  private static final HookPosts.Numbered EVENTS =
      new HookPosts.Numbered(
          INGEST_TOKEN,
          "PostToolUse-Bash.json",
          "tool_use_id",
          "tool_use_id",
          n -> "toolu_spool_" + n);

  @TempDir Path logs;
  @TempDir Path spool;

  @Test
  void shouldStoreEveryAcknowledgedEventOnceAfterSigkillWithTranscriptServiceDown()
      throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      int transcriptPort = FreePorts.next();
      Map<String, String> ingestEnv =
          Map.of(
              "HOOK_INGEST_TOKEN",
              INGEST_TOKEN,
              "TRANSCRIPT_SERVICE_URL",
              "http://127.0.0.1:" + transcriptPort,
              "TRANSCRIPT_SERVICE_TOKEN",
              WRITE_TOKEN,
              "HOOK_INGEST_SPOOL_DIR",
              spool.toString(),
              // The shipped 30 s cap would only make the test wait longer.
              "INGEST_FORWARD_MAX_BACKOFF",
              "1s");
      String session = UUID.randomUUID().toString();
      ServiceJar first = ServiceJar.start("hook-ingest", ingestEnv, logs.resolve("first"));
      try {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < TOTAL; i++) {
          EVENTS.post(client, first, session, i);
        }
        assertThat(metrics(first).sum("claude_hook_forward_buffer_events")).isEqualTo(TOTAL);
        ProcessHandle.of(first.process().pid()).orElseThrow().destroyForcibly();
        first.process().stop(Duration.ofSeconds(10)); // waits for the killed process to be gone
        assertThat(first.process().isAlive()).isFalse();
      } finally {
        first.close();
      }

      Map<String, String> transcriptEnv = new HashMap<>(postgres.quarkusEnv());
      transcriptEnv.put("TRANSCRIPT_WRITE_TOKEN", WRITE_TOKEN);
      transcriptEnv.put("TRANSCRIPT_READ_TOKEN", "spool-crash-read-token");
      try (ServiceJar transcript =
              ServiceJar.start("transcript-service", transcriptPort, transcriptEnv, logs);
          ServiceJar second = ServiceJar.start("hook-ingest", ingestEnv, logs.resolve("second"))) {
        assertThat(transcript.port()).isEqualTo(transcriptPort);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> EVENTS.stored(postgres, session).size() >= TOTAL);
        assertThat(EVENTS.stored(postgres, session))
            .as("each event once")
            .containsExactlyInAnyOrderElementsOf(EVENTS.values(TOTAL));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> metrics(second).sum("claude_hook_forward_buffer_events") == 0);
        MetricsSnapshot after = metrics(second);
        assertThat(after.sum("claude_hook_spool_replayed_events_total")).isEqualTo(TOTAL);
        assertThat(after.sum("claude_hook_forwarded_events_total")).isEqualTo(TOTAL);
        assertThat(after.sum("claude_hook_forward_dropped_total")).isZero();
      }
    }
  }
}
