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
 * hook-ingest's claim that a transcript-service restart loses nothing, with the real jars and a
 * real PostgreSQL: events posted while transcript-service is stopped wait in hook-ingest's buffer
 * and are stored, each once, when it is back on the same address. (The forwarder's own tests show
 * the same against a stand-in receiver that can also refuse and hold its answers.)
 */
class TranscriptServiceRestartTest {

  private static final String INGEST_TOKEN = "restart-test-ingest-token";
  private static final String WRITE_TOKEN = "restart-test-write-token";
  private static final int BEFORE = 30;
  private static final int TOTAL = 200;
  private static final HookPosts.Numbered PROMPTS =
      new HookPosts.Numbered(
          INGEST_TOKEN,
          "UserPromptSubmit.json",
          "prompt",
          "payload->>'prompt'",
          n -> "restart test prompt " + n);

  @TempDir Path logs;

  @Test
  void shouldStoreEveryEventOnceWhenTranscriptServiceRestartsInBetween() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      int transcriptPort = FreePorts.next();
      Map<String, String> transcriptEnv = new HashMap<>(postgres.quarkusEnv());
      transcriptEnv.put("TRANSCRIPT_WRITE_TOKEN", WRITE_TOKEN);
      transcriptEnv.put("TRANSCRIPT_READ_TOKEN", "restart-test-read-token");
      ServiceJar transcript =
          ServiceJar.start(
              "transcript-service", transcriptPort, transcriptEnv, logs.resolve("first"));
      ServiceJar ingest = null;
      try {
        ingest =
            ServiceJar.start(
                "hook-ingest",
                Map.of(
                    "HOOK_INGEST_TOKEN",
                    INGEST_TOKEN,
                    "TRANSCRIPT_SERVICE_URL",
                    transcript.baseUrl(),
                    "TRANSCRIPT_SERVICE_TOKEN",
                    WRITE_TOKEN,
                    // The shipped 30 s cap would only make the test wait longer after the restart.
                    "INGEST_FORWARD_MAX_BACKOFF",
                    "1s"),
                logs);
        String session = UUID.randomUUID().toString();
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < BEFORE; i++) {
          PROMPTS.post(client, ingest, session, i);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> PROMPTS.stored(postgres, session).size() == BEFORE);

        // Stopped the way Kubernetes stops a pod (SIGTERM), and started again on its address.
        transcript.process().stop(Duration.ofSeconds(10));
        for (int i = BEFORE; i < TOTAL; i++) {
          PROMPTS.post(client, ingest, session, i);
        }
        ServiceJar running = ingest;
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  MetricsSnapshot metrics = metrics(running);
                  assertThat(metrics.sum("claude_hook_forward_failures_total"))
                      .as("hook-ingest found transcript-service gone")
                      .isPositive();
                  assertThat(metrics.sum("claude_hook_forward_buffer_events"))
                      .isEqualTo(TOTAL - BEFORE);
                });
        assertThat(PROMPTS.stored(postgres, session)).hasSize(BEFORE);

        transcript =
            ServiceJar.start(
                "transcript-service", transcriptPort, transcriptEnv, logs.resolve("second"));

        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> PROMPTS.stored(postgres, session).size() == TOTAL);
        assertThat(PROMPTS.stored(postgres, session))
            .containsExactlyInAnyOrderElementsOf(PROMPTS.values(TOTAL));
        MetricsSnapshot after = metrics(ingest);
        assertThat(after.sum("claude_hook_forwarded_events_total")).isEqualTo(TOTAL);
        assertThat(after.sum("claude_hook_forward_dropped_total")).isZero();
        assertThat(after.sum("claude_hook_forward_buffer_events")).isZero();
      } finally {
        if (ingest != null) {
          ingest.close();
        }
        transcript.close();
      }
    }
  }
}
