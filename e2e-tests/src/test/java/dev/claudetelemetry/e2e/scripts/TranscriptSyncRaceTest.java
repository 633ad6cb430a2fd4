package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real claude-transcript-sync, several processes at once, against the real transcript-service
 * (its jar, a real PostgreSQL), over one transcript Claude Code keeps appending to: what a session
 * does when the asynchronous per-batch sync still runs while the next batch's, or Stop's, or
 * SessionEnd's starts. The stored transcript is the file, once, with no rewrite recorded; the
 * agent's own cut of the file is still recorded.
 */
class TranscriptSyncRaceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WRITE_TOKEN = "race-test-write-token";
  private static final String READ_TOKEN = "race-test-read-token";
  private static final int SESSIONS = 3;
  private static final int SYNCS = 4;
  private static final int MIN_ROUNDS = 8;
  private static final List<String> EVENTS =
      List.of("PostToolBatch.json", "Stop.json", "PostToolBatch.json", "SubagentStop.json");

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldStoreAGrowingTranscriptOnceWhileRealSyncsRaceAndStillRecordACut() throws Exception {
    byte[] content = transcript();
    try (PostgresServer postgres = PostgresServer.start()) {
      Map<String, String> env = new HashMap<>(postgres.quarkusEnv());
      env.put("TRANSCRIPT_WRITE_TOKEN", WRITE_TOKEN);
      env.put("TRANSCRIPT_READ_TOKEN", READ_TOKEN);
      try (ServiceJar service =
          ServiceJar.start(
              "transcript-service", env, Files.createDirectories(dir.resolve("log")))) {
        PodScript.Setup setup =
            new PodScript.Setup()
                .managed("TRANSCRIPT_SERVICE_URL", service.baseUrl())
                .managed("CLAUDE_TELEMETRY_TOKEN", WRITE_TOKEN)
                .managed("CLAUDE_TELEMETRY_USER", "alice")
                // Small chunks: many uploads per sync, so the syncs overlap all the more.
                .managed("CLAUDE_TRANSCRIPT_CHUNK_BYTES", "4096")
                // Every PostToolBatch sync uploads, so that they race with the others.
                .managed("CLAUDE_TRANSCRIPT_BATCH_SECONDS", "0")
                // Whatever the machine's load, a sync finishes: what is stored is asserted, not
                // speed.
                .managed("CLAUDE_TRANSCRIPT_SYNC_SECONDS", "120");
        String session = null;
        Path file = null;
        for (int n = 0; n < SESSIONS; n++) {
          session = UUID.randomUUID().toString();
          file = dir.resolve(session + ".jsonl");
          race(setup, session, file, content, n);

          assertThat(rewrites(service, session)).as("session %d", n).isEmpty();
          assertThat(content).isEqualTo(Files.readAllBytes(file));
          byte[] stored = transcript(service, session);
          assertThat(stored.length).as("session %d: bytes stored", n).isEqualTo(content.length);
          assertThat(stored).as("session %d stored as written", n).isEqualTo(content);
          assertThat(fileStatus(service, session).get("generation").asInt()).isEqualTo(1);
        }

        // The agent cuts its last session's transcript, and the next sync finds it.
        byte[] cut = java.util.Arrays.copyOf(content, lineEndAfter(content, content.length / 3));
        Files.write(file, cut);
        PodScript.Outcome outcome =
            PodScript.run("claude-transcript-sync", input("Stop.json", session, file), setup);
        assertThat(outcome.stderr()).contains("shrank");
        JsonNode rewrites = rewrites(service, session);
        assertThat(rewrites).hasSize(1);
        assertThat(rewrites.get(0).get("kind").asText()).isEqualTo("shrank");
        assertThat(rewrites.get(0).get("reportedSize").asLong()).isEqualTo(cut.length);
        assertThat(fileStatus(service, session).get("generation").asInt()).isEqualTo(2);
      }
    }
  }

  /**
   * Claude Code appends {@code content} to {@code file} in pieces (often half a line) while rounds
   * of {@link #SYNCS} syncs start together; then SessionEnd's sync, after the last write.
   */
  private void race(PodScript.Setup setup, String session, Path file, byte[] content, long seed)
      throws Exception {
    Files.write(file, new byte[0]);
    ExecutorService pool = Executors.newFixedThreadPool(SYNCS + 1);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                Random random = new Random(seed);
                try (OutputStream out = new FileOutputStream(file.toFile(), true)) {
                  for (int at = 0; at < content.length; ) {
                    int piece = Math.min(content.length - at, 1 + random.nextInt(3000));
                    out.write(content, at, piece);
                    out.flush();
                    at += piece;
                    Thread.sleep(random.nextInt(15));
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return null;
              });
      for (int round = 0; round < MIN_ROUNDS || !writer.isDone(); round++) {
        List<Callable<PodScript.Outcome>> syncs = new ArrayList<>();
        for (String event : EVENTS) {
          String input = input(event, session, file);
          syncs.add(() -> PodScript.run("claude-transcript-sync", input, setup));
        }
        for (Future<PodScript.Outcome> done : pool.invokeAll(syncs)) {
          PodScript.Outcome outcome = done.get();
          assertThat(outcome.exitCode()).isZero();
          assertThat(outcome.stderr()).doesNotContain("shrank").doesNotContain("no longer");
        }
      }
      writer.get();
    } finally {
      pool.shutdownNow();
    }
    PodScript.Outcome last =
        PodScript.run("claude-transcript-sync", input("SessionEnd.json", session, file), setup);
    assertThat(last.exitCode()).isZero();
  }

  private static String input(String event, String session, Path file) {
    try {
      ObjectNode input = (ObjectNode) JSON.readTree(PodScript.fixture(event));
      input.put("session_id", session);
      input.put("transcript_path", file.toString());
      input.remove("agent_transcript_path");
      return input.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] transcript() throws IOException {
    Path transcripts = RepoPaths.claudeCodeFixtures().resolve("transcripts");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Files.readAllBytes(transcripts.resolve("session-with-denials.jsonl")));
    out.writeBytes(Files.readAllBytes(transcripts.resolve("session-with-subagents.jsonl")));
    return out.toByteArray();
  }

  private static int lineEndAfter(byte[] content, int from) {
    for (int i = from; i < content.length; i++) {
      if (content[i] == '\n') {
        return i + 1;
      }
    }
    return content.length;
  }

  private byte[] transcript(ServiceJar service, String session) throws Exception {
    HttpResponse<byte[]> answer =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(service.url("/v1/sessions/" + session + "/transcript?file=main")))
                .header("Authorization", "Bearer " + READ_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  private JsonNode rewrites(ServiceJar service, String session) throws Exception {
    return getJson(service, "/v1/sessions/" + session, READ_TOKEN).get("rewrites");
  }

  private JsonNode fileStatus(ServiceJar service, String session) throws Exception {
    return getJson(service, "/v1/transcripts/" + session + "/files/main", WRITE_TOKEN);
  }

  private JsonNode getJson(ServiceJar service, String path, String token) throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(service.url(path)))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }
}
