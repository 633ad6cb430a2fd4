package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * claude-transcript-sweep (the hook client's loop role, the chart's transcript-sweep container)
 * against the in-memory transcript-service of {@link TranscriptSyncTest}: the lines of sessions
 * that ended while transcript-service was down arrive once it answers again, and what the agent can
 * plant under ~/.claude/projects (a symlink to another file, a FIFO, another user's session) is not
 * followed, does not stall the loop, and does not stop the other files. The real CLI and the real
 * transcript-service: {@code sessions.OutagePodTest}.
 */
class TranscriptSweepTest {
  private static final String ENDED = "0c0c5d1e-0000-4000-8000-000000000001";
  private static final String OTHER = "0c0c5d1e-0000-4000-8000-000000000002";
  private static final String BOBS = "0c0c5d1e-0000-4000-8000-00000000000b";
  private static final String PLANTED = "0c0c5d1e-0000-4000-8000-0000000000ff";

  @Test
  void shouldUploadTheLinesOfEndedSessionsOnceTranscriptServiceAnswersAgain(@TempDir Path dir)
      throws Exception {
    Path projects = Files.createDirectories(dir.resolve("home/.claude/projects"));
    Path project = Files.createDirectories(projects.resolve("-home-claude-user-workspace"));
    Path main = project.resolve(ENDED + ".jsonl");
    Files.writeString(main, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    Path subagent =
        Files.createDirectories(project.resolve(ENDED).resolve("subagents"))
            .resolve("agent-a1b2.jsonl");
    Files.writeString(subagent, "{\"agent\":1}\n{\"agent\":2}\n");
    Path other = Files.createDirectories(projects.resolve("-home-claude-user-workspace-other"));
    Files.writeString(other.resolve(OTHER + ".jsonl"), "{\"m\":1}\n{\"m\":2, \"unterminated");
    // The agent's plants: a symlink to a file it could not otherwise upload under this name, a FIFO
    // (opening it for reading would block), and bob's session, which transcript-service refuses.
    Path secret = Files.writeString(dir.resolve("secret.jsonl"), "{\"secret\":true}\n");
    Files.createSymbolicLink(project.resolve(PLANTED + ".jsonl"), secret);
    Files.createSymbolicLink(projects.resolve("-linked-project"), dir);
    new ProcessBuilder("mkfifo", project.resolve("fifo.jsonl").toString())
        .start()
        .waitFor(10, TimeUnit.SECONDS);
    Files.writeString(project.resolve(BOBS + ".jsonl"), "{\"bob\":1}\n");

    TranscriptSyncTest.Transcripts transcripts = new TranscriptSyncTest.Transcripts();
    AtomicBoolean up = new AtomicBoolean(false);
    try (StubServer server =
        new StubServer(
            request -> {
              if (!up.get()) {
                return new StubServer.Response(503, "{\"status\":503}");
              }
              if (request.pathAndQuery().contains(BOBS)) {
                return new StubServer.Response(
                    403, "{\"status\":403,\"title\":\"not-session-owner\"}");
              }
              return transcripts.answer(request);
            })) {
      Process sweep = startSweep(server.url(), projects, dir.resolve("sweep.log"));
      try {
        // Down: the loop asks, gets 503, and asks again a round later.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> server.requests.stream().filter(r -> r.method().equals("GET")).count() >= 4);
        assertThat(transcripts.stored).isEmpty();

        up.set(true);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(bytes(transcripts, ENDED, "main")).isEqualTo(Files.readString(main));
                  assertThat(bytes(transcripts, ENDED, "agent-a1b2"))
                      .isEqualTo(Files.readString(subagent));
                  assertThat(bytes(transcripts, OTHER, "main")).isEqualTo("{\"m\":1}\n");
                });

        // A session resumed later writes more: the sweep sends the new lines, and only those.
        Files.writeString(main, "{\"n\":4}\n", java.nio.file.StandardOpenOption.APPEND);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(bytes(transcripts, ENDED, "main"))
                        .isEqualTo(Files.readString(main)));
        assertThat(sweep.isAlive()).as("the FIFO did not stall it, nothing crashed it").isTrue();
      } finally {
        sweep.destroy();
        sweep.waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(transcripts.stored.keySet())
          .as("nothing through the symlinks, nothing for the FIFO, bob's session refused")
          .containsExactlyInAnyOrder(ENDED + "/main", ENDED + "/agent-a1b2", OTHER + "/main");
      assertThat(server.requests)
          .noneMatch(r -> r.pathAndQuery().contains(PLANTED) || r.pathAndQuery().contains("fifo"));
      long postsOfEnded =
          server.requests.stream()
              .filter(
                  r ->
                      r.method().equals("POST") && r.pathAndQuery().contains(ENDED + "/files/main"))
              .count();
      assertThat(postsOfEnded)
          .as("one upload for the first lines, one for the appended one")
          .isEqualTo(2);
    }
  }

  /**
   * Large files the agent planted under ~/.claude/projects do not hold up a session's last lines: a
   * round syncs the files the server lacks little of first, whatever order the directory lists them
   * in. Every upload of a planted file waits (at most 20 s) until the real leftover is stored, so a
   * sweep that took a planted file first is seen by the order of the uploads.
   */
  @Test
  void shouldSendASessionsLastLinesBeforeLargeFilesTheAgentPlanted(@TempDir Path dir)
      throws Exception {
    Path projects = Files.createDirectories(dir.resolve("home/.claude/projects"));
    String line = "{\"planted\":\"" + "x".repeat(1000) + "\"}\n";
    for (int i = 0; i < 8; i++) {
      Path project = Files.createDirectories(projects.resolve("-planted-" + i));
      Files.writeString(
          project.resolve(String.format("0c0c5d1e-0000-4000-8000-0000000001%02d.jsonl", i)),
          line.repeat(2100));
    }
    Path real = Files.createDirectories(projects.resolve("-home-claude-user-workspace"));
    Path leftover = real.resolve(ENDED + ".jsonl");
    Files.writeString(leftover, "{\"n\":1}\n{\"n\":2}\n");

    TranscriptSyncTest.Transcripts transcripts = new TranscriptSyncTest.Transcripts();
    java.util.concurrent.CountDownLatch realStored = new java.util.concurrent.CountDownLatch(1);
    List<String> uploads = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StubServer server =
        new StubServer(
            request -> {
              if (request.method().equals("POST")) {
                boolean isReal = request.pathAndQuery().contains(ENDED);
                uploads.add(isReal ? "real" : "planted");
                if (!isReal) {
                  realStored.await(20, TimeUnit.SECONDS);
                }
                StubServer.Response answer = transcripts.answer(request);
                if (isReal) {
                  realStored.countDown();
                }
                return answer;
              }
              return transcripts.answer(request);
            })) {
      Process sweep = startSweep(server.url(), projects, dir.resolve("sweep.log"));
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  assertThat(bytes(transcripts, ENDED, "main"))
                      .isEqualTo(Files.readString(leftover));
                  assertThat(uploads).contains("planted");
                });
      } finally {
        sweep.destroy();
        sweep.waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(uploads).as("the session's last lines first").first().isEqualTo("real");
  }

  /** The sweep every second, for files quiet for 0 s, as alice's pod against {@code url}. */
  private static Process startSweep(String url, Path projects, Path log) throws IOException {
    return new ProcessBuilder(
            PodScript.commandWith(
                new PodScript.Setup()
                    .managed("TRANSCRIPT_SERVICE_URL", url)
                    .managed("CLAUDE_TELEMETRY_TOKEN", "pod-token-1")
                    .managed("CLAUDE_TELEMETRY_USER", "alice"),
                List.of(
                    PodScript.path("claude-transcript-sweep").toString(),
                    projects.toString(),
                    "1",
                    "0")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static String bytes(
      TranscriptSyncTest.Transcripts transcripts, String session, String file) {
    ByteArrayOutputStream stored = transcripts.stored.get(session + "/" + file);
    return stored == null ? "" : stored.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
