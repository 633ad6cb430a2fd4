package dev.claudetelemetry.e2e.scripts;

import static java.nio.file.StandardOpenOption.APPEND;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.testsupport.FreePorts;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * claude-transcript-sync (the hook client built by hook-client) against an in-memory
 * transcript-service that keeps the upload contract of docs/contracts.md (acknowledged offset,
 * complete lines only, compare-and-set on the offset: 409 with expectedOffset). The real
 * transcript-service is exercised by {@link TranscriptSyncRaceTest} and the emulated-pod suite.
 */
class TranscriptSyncTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION = "a320af64-c3ae-416a-ac6f-2c12d29214ba";

  /**
   * Offsets per (session, file), stored bytes, and an optional lie about the offset to provoke a
   * 409.
   */
  static final class Transcripts implements StubServer.Handler {
    private static final Pattern PATH =
        Pattern.compile("/v1/transcripts/([^/]+)/files/([^/?]+)(?:\\?offset=(\\d+))?");
    final Map<String, ByteArrayOutputStream> stored = new ConcurrentHashMap<>();
    final Map<String, Long> reportedOffsetOverride = new ConcurrentHashMap<>();
    final List<String> rewrites = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Written by the stub's server threads, read by the test thread.
    final java.util.concurrent.atomic.AtomicLong bytesReceived =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public StubServer.Response answer(StubServer.Request request) {
      Matcher m = PATH.matcher(request.pathAndQuery());
      if (!m.matches() || !"Bearer pod-token-1".equals(request.header("Authorization"))) {
        return new StubServer.Response(m.matches() ? 401 : 404, "{}");
      }
      String key = m.group(1) + "/" + m.group(2);
      ByteArrayOutputStream file = stored.computeIfAbsent(key, k -> new ByteArrayOutputStream());
      long acknowledged = file.size();
      if ("GET".equals(request.method())) {
        long reported = reportedOffsetOverride.getOrDefault(key, acknowledged);
        reportedOffsetOverride.remove(key);
        return new StubServer.Response(
            200,
            "{\"offset\":"
                + reported
                + ",\"lines\":0,\"prefixSha256\":\""
                + sha256(file.toByteArray())
                + "\"}");
      }
      long offset = Long.parseLong(m.group(3));
      // Only an upload from the acknowledged offset is taken (compare-and-set), and only it is
      // judged by transcript-service's tamper check (docs/contracts.md): shrank, or other bytes
      // before the offset, starts the file again from 0.
      if (offset != acknowledged) {
        return new StubServer.Response(
            409, "{\"status\":409,\"expectedOffset\":" + acknowledged + "}");
      }
      String size = request.header("X-Transcript-Size");
      String digest = request.header("X-Transcript-Prefix-Sha256");
      boolean shrank = size != null && Long.parseLong(size) < acknowledged;
      boolean rewritten = digest != null && !digest.equals(sha256(file.toByteArray()));
      if (shrank || rewritten) {
        rewrites.add(key + (shrank ? " shrank" : " rewritten"));
        stored.put(key, new ByteArrayOutputStream());
        return new StubServer.Response(409, "{\"status\":409,\"expectedOffset\":0}");
      }
      byte[] body = request.body();
      bytesReceived.addAndGet(body.length);
      byte[] fresh = body;
      int end = lastNewline(fresh) + 1;
      file.write(fresh, 0, end);
      long lines =
          new String(fresh, 0, end, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
      return new StubServer.Response(
          200, "{\"offset\":" + file.size() + ",\"linesStored\":" + lines + "}");
    }

    static String sha256(byte[] bytes) {
      try {
        return java.util.HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    byte[] bytes(String fileId) {
      return stored.getOrDefault(SESSION + "/" + fileId, new ByteArrayOutputStream()).toByteArray();
    }

    private static int lastNewline(byte[] bytes) {
      for (int i = bytes.length - 1; i >= 0; i--) {
        if (bytes[i] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  @Test
  void shouldUploadTheWholeTranscriptInChunksWithHeaders(@TempDir Path dir) throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.Setup env = env(server.url()).managed("CLAUDE_TRANSCRIPT_CHUNK_BYTES", "4096");

      PodScript.Outcome outcome =
          PodScript.run("claude-transcript-sync", stopInput(transcript), env);

      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout()).isEmpty();
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
      assertThat(server.requests.stream().filter(r -> r.method().equals("POST")).count())
          .isGreaterThan(1);
      StubServer.Request post =
          server.requests.stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
      assertThat(post.body()).hasSize(4096);
      assertThat(post.header("Content-Type")).isEqualTo("application/octet-stream");
      assertThat(post.header("X-Claude-Telemetry-User")).isEqualTo("alice");
      assertThat(post.header("X-Claude-Cwd")).isEqualTo("/home/claude-user/workspace");
      // Each chunk carries the file's size and the SHA-256 of the bytes before its offset.
      byte[] content = Files.readAllBytes(transcript);
      for (StubServer.Request request : server.requests) {
        if (!request.method().equals("POST")) {
          continue;
        }
        int offset = Integer.parseInt(request.pathAndQuery().replaceAll(".*offset=", ""));
        assertThat(request.header("X-Transcript-Size")).isEqualTo(Integer.toString(content.length));
        assertThat(request.header("X-Transcript-Prefix-Sha256"))
            .isEqualTo(Transcripts.sha256(Arrays.copyOf(content, offset)));
      }
    }
  }

  /**
   * The agent cuts or rewrites its transcript after it was uploaded. The sync reports the file as
   * it finds it; the service answers 409 expectedOffset 0 and the sync sends the whole file again.
   */
  @Test
  void shouldSendATranscriptCutOrRewrittenAfterItsUploadAgainFromItsStart(@TempDir Path dir)
      throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    List<String> lines = Files.readAllLines(transcript);
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      assertThat(service.rewrites).isEmpty();

      Files.writeString(transcript, lines.get(0) + "\n" + lines.get(1) + "\n");
      PodScript.Outcome cut =
          PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      assertThat(service.rewrites).containsExactly(SESSION + "/main shrank");
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
      assertThat(cut.stderr()).contains("shrank");

      // Same length, other bytes, then more lines: only the digest tells.
      String second = lines.get(1);
      String changed = second.replaceAll("[a-z]", "x");
      Files.writeString(transcript, lines.get(0) + "\n" + changed + "\n" + lines.get(2) + "\n");
      PodScript.Outcome rewritten =
          PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      assertThat(service.rewrites).hasSize(2).last().isEqualTo(SESSION + "/main rewritten");
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
      assertThat(rewritten.stderr()).contains("no longer the ones uploaded");
    }
  }

  /** Rewritten in place after its upload, and nothing appended since: reported all the same. */
  @Test
  void shouldReportATranscriptRewrittenInPlaceThatDidNotGrow(@TempDir Path dir) throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      byte[] content = Files.readAllBytes(transcript);
      content[100] = (byte) (content[100] == 'x' ? 'y' : 'x');
      Files.write(transcript, content);

      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      assertThat(service.rewrites).containsExactly(SESSION + "/main rewritten");
      assertThat(service.bytes("main")).isEqualTo(content);
    }
  }

  @Test
  void shouldSendOnlyWhatTheServerHasNotAcknowledgedAndCompleteAPartialLineLater(@TempDir Path dir)
      throws Exception {
    Path transcript = dir.resolve("main.jsonl");
    Files.writeString(transcript, "{\"n\":1}\n{\"n\":2}\n{\"n\":3, \"half");
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      assertThat(new String(service.bytes("main"))).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
      long afterFirst = service.bytesReceived.get();

      Files.writeString(transcript, "{\"n\":1}\n{\"n\":2}\n{\"n\":3, \"half\":true}\n{\"n\":4}\n");
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));

      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
      // The second run starts at the acknowledged offset; the third finds nothing to send.
      assertThat(service.bytesReceived.get() - afterFirst).isEqualTo(Files.size(transcript) - 16);
    }
  }

  @Test
  void shouldResumeAtTheExpectedOffsetAfterAConflict(@TempDir Path dir) throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      service.reportedOffsetOverride.put(SESSION + "/main", 5000L);
      PodScript.run("claude-transcript-sync", stopInput(transcript), env(server.url()));

      assertThat(server.requests).anyMatch(r -> r.pathAndQuery().endsWith("?offset=5000"));
      assertThat(server.requests).anyMatch(r -> r.pathAndQuery().endsWith("?offset=0"));
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
    }
  }

  @Test
  void shouldUploadASubagentTranscriptUnderItsAgentIdAndTheMainOne(@TempDir Path dir)
      throws Exception {
    Path main = copy("session-with-subagents.jsonl", dir.resolve("main.jsonl"));
    Path agent = copy("subagent.jsonl", dir.resolve("agent-a08be501ad019018d.jsonl"));
    ObjectNode input = (ObjectNode) JSON.readTree(PodScript.fixture("SubagentStop.json"));
    input.put("session_id", SESSION);
    input.put("transcript_path", main.toString());
    input.put("agent_transcript_path", agent.toString());
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", input.toString(), env(server.url()));

      assertThat(service.bytes("agent-a08be501ad019018d")).isEqualTo(Files.readAllBytes(agent));
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(main));
    }
  }

  /**
   * Claude Code can append to a subagent's file after its SubagentStop: Stop brings every subagent
   * file of the session (next to the transcript, in {@code <session>/subagents/}) up to date.
   */
  @Test
  void shouldBringTheSessionsSubagentFilesUpToDateAtStop(@TempDir Path dir) throws Exception {
    Path main = copy("session-with-subagents.jsonl", dir.resolve(SESSION + ".jsonl"));
    Path subagents = Files.createDirectories(dir.resolve(SESSION).resolve("subagents"));
    Path agent = copy("subagent.jsonl", subagents.resolve("agent-a08be501ad019018d.jsonl"));
    Files.writeString(subagents.resolve("agent-a08be501ad019018d.meta.json"), "{}");
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", stopInput(main), env(server.url()));

      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(main));
      assertThat(service.bytes("agent-a08be501ad019018d")).isEqualTo(Files.readAllBytes(agent));
      assertThat(service.stored).hasSize(2);
    }
  }

  /**
   * A symlink in the subagents directory (the agent can write there) is not Claude Code's: it would
   * bring another file into this session's audit trail under a subagent's name.
   */
  @Test
  void shouldSkipASymlinkAmongTheSubagentFiles(@TempDir Path dir) throws Exception {
    Path main = copy("session-with-subagents.jsonl", dir.resolve(SESSION + ".jsonl"));
    Path subagents = Files.createDirectories(dir.resolve(SESSION).resolve("subagents"));
    Path agent = copy("subagent.jsonl", subagents.resolve("agent-a08be501ad019018d.jsonl"));
    Path elsewhere = copy("session-with-denials.jsonl", dir.resolve("elsewhere.jsonl"));
    Files.createSymbolicLink(subagents.resolve("agent-planted.jsonl"), elsewhere);
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.run("claude-transcript-sync", stopInput(main), env(server.url()));

      assertThat(service.bytes("agent-a08be501ad019018d")).isEqualTo(Files.readAllBytes(agent));
      assertThat(service.stored)
          .containsOnlyKeys(SESSION + "/main", SESSION + "/agent-a08be501ad019018d");
    }
  }

  @Test
  void shouldUploadALineLongerThanTheChunkByGrowingTheChunk(@TempDir Path dir) throws Exception {
    Path transcript = dir.resolve("main.jsonl");
    Files.writeString(transcript, "{\"big\":\"" + "x".repeat(10_000) + "\"}\n{\"n\":2}\n");
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.Setup env = env(server.url()).managed("CLAUDE_TRANSCRIPT_CHUNK_BYTES", "1024");
      PodScript.run("claude-transcript-sync", stopInput(transcript), env);
      assertThat(service.bytes("main")).isEqualTo(Files.readAllBytes(transcript));
    }
  }

  @Test
  void shouldNeverFailOrStallTheSessionWhenTheServiceIsDownOrHangs(@TempDir Path dir)
      throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    PodScript.Outcome refused =
        PodScript.run(
            "claude-transcript-sync",
            stopInput(transcript),
            env("http://127.0.0.1:" + FreePorts.next()));
    assertThat(refused.exitCode()).isZero();
    assertThat(refused.stdout()).isEmpty();
    assertThat(refused.stderr()).contains("retried next event");

    // The stub answers only after the sync has exited: it can only have ended by its budget.
    CountDownLatch syncExited = new CountDownLatch(1);
    try (StubServer hanging =
        new StubServer(
            r -> {
              syncExited.await();
              return new StubServer.Response(200, "{}");
            })) {
      PodScript.Outcome stalled =
          PodScript.run(
              "claude-transcript-sync",
              stopInput(transcript),
              env(hanging.url()).managed("CLAUDE_TRANSCRIPT_SYNC_SECONDS", "1"));
      syncExited.countDown();
      assertThat(stalled.exitCode()).isZero();
      assertThat(stalled.stderr()).contains("main: offset unknown; retried next event");
      assertThat(hanging.requests).hasSize(1);
    }
  }

  @Test
  void shouldRefuseSessionIdsThatWouldChangeTheUrl(@TempDir Path dir) throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      ObjectNode input = (ObjectNode) JSON.readTree(stopInput(transcript));
      input.put("session_id", "../../v1/admin");
      PodScript.Outcome outcome =
          PodScript.run("claude-transcript-sync", input.toString(), env(server.url()));
      assertThat(outcome.exitCode()).isZero();
      assertThat(server.requests).isEmpty();
    }
  }

  /**
   * The per-batch sync uploads at most once per CLAUDE_TRANSCRIPT_BATCH_SECONDS in a session: a
   * batch within the interval sends nothing (not even a request), its lines go with the next
   * upload, and Stop always uploads.
   */
  @Test
  void shouldUploadOnPostToolBatchAtMostOncePerIntervalAndAlwaysAtStop(@TempDir Path dir)
      throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    byte[] content = Files.readAllBytes(transcript);
    int half = firstLineEndAfter(content, content.length / 2);
    Files.write(transcript, Arrays.copyOf(content, half));
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.Setup env = env(server.url()).managed("CLAUDE_TRANSCRIPT_BATCH_SECONDS", "3600");

      assertThat(PodScript.run("claude-transcript-sync", batchInput(transcript), env).exitCode())
          .isZero();
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, half));
      int requests = server.requests.size();

      Files.write(transcript, content);
      assertThat(PodScript.run("claude-transcript-sync", batchInput(transcript), env).exitCode())
          .isZero();
      assertThat(server.requests).hasSize(requests);
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, half));

      assertThat(PodScript.run("claude-transcript-sync", stopInput(transcript), env).exitCode())
          .isZero();
      assertThat(service.bytes("main")).isEqualTo(content);
    }
  }

  /**
   * With the interval 0 every batch uploads; and a stamp the agent planted (its time in the future,
   * or a symlink to another file) does not hold an upload off, nor is written through.
   */
  @Test
  void shouldUploadEveryBatchWithoutAnIntervalOrWithAStampThatCannotBeTrusted(@TempDir Path dir)
      throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    byte[] content = Files.readAllBytes(transcript);
    int third = firstLineEndAfter(content, content.length / 3);
    int twoThirds = firstLineEndAfter(content, 2 * content.length / 3);
    Path stamp = dir.resolve("main.jsonl.claude-telemetry-sync");
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      Files.write(transcript, Arrays.copyOf(content, third));
      PodScript.Setup every = env(server.url()).managed("CLAUDE_TRANSCRIPT_BATCH_SECONDS", "0");
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, third));
      assertThat(stamp).doesNotExist();

      Files.write(transcript, Arrays.copyOf(content, twoThirds));
      PodScript.Setup hourly = env(server.url()).managed("CLAUDE_TRANSCRIPT_BATCH_SECONDS", "3600");
      Files.writeString(stamp, "");
      Files.setLastModifiedTime(
          stamp, FileTime.from(Instant.now().plus(java.time.Duration.ofDays(1))));
      PodScript.run("claude-transcript-sync", batchInput(transcript), hourly);
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, twoThirds));

      Files.write(transcript, content);
      Files.delete(stamp);
      Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "not the agent's to touch");
      FileTime before = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
      Files.setLastModifiedTime(elsewhere, before);
      Files.createSymbolicLink(stamp, elsewhere);
      PodScript.run("claude-transcript-sync", batchInput(transcript), hourly);
      assertThat(service.bytes("main")).isEqualTo(content);
      assertThat(Files.isSymbolicLink(stamp)).isTrue();
      assertThat(Files.getLastModifiedTime(elsewhere)).isEqualTo(before);
    }
  }

  /**
   * A per-batch sync starts from the offset and digest the file's last sync left in {@code
   * <transcript>.claude-telemetry-acked} when the file still matches them, without asking the
   * server; a hint the agent wrote (behind, ahead or not matching the file) only costs a 409 or the
   * question, and transcript-service still judges the prefix digest of every upload.
   */
  @Test
  void shouldStartAPerBatchSyncFromTheLastSyncsOffsetAndStillEndRightWithAForgedHint(
      @TempDir Path dir) throws Exception {
    Path transcript = copy("session-with-denials.jsonl", dir.resolve("main.jsonl"));
    byte[] content = Files.readAllBytes(transcript);
    // Six growing prefixes, each a whole number of lines and longer than the one before.
    List<Integer> lineEnds = new java.util.ArrayList<>();
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        lineEnds.add(i + 1);
      }
    }
    int[] ends = new int[6];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = lineEnds.get((i + 1) * lineEnds.size() / (ends.length + 1));
    }
    Path hint = dir.resolve("main.jsonl.claude-telemetry-acked");
    Transcripts service = new Transcripts();
    try (StubServer server = new StubServer(service)) {
      PodScript.Setup every = env(server.url()).managed("CLAUDE_TRANSCRIPT_BATCH_SECONDS", "0");
      Files.write(transcript, Arrays.copyOf(content, ends[0]));
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(Files.readString(hint))
          .isEqualTo(ends[0] + " " + Transcripts.sha256(Arrays.copyOf(content, ends[0])) + "\n");

      Files.write(transcript, Arrays.copyOf(content, ends[1]));
      int before = server.requests.size();
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(server.requests.subList(before, server.requests.size()))
          .extracting(StubServer.Request::method)
          .containsExactly("POST");
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, ends[1]));

      // Stop uploads what is new from the hint too; with nothing new it asks, so that the server's
      // digest judges the prefix.
      Files.write(transcript, Arrays.copyOfRange(content, ends[1], ends[2]), APPEND);
      before = server.requests.size();
      PodScript.run("claude-transcript-sync", stopInput(transcript), every);
      assertThat(server.requests.subList(before, server.requests.size()))
          .extracting(StubServer.Request::method)
          .containsExactly("POST");
      before = server.requests.size();
      PodScript.run("claude-transcript-sync", stopInput(transcript), every);
      assertThat(server.requests.subList(before, server.requests.size()))
          .extracting(StubServer.Request::method)
          .containsExactly("GET");
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, ends[2]));
      Files.write(transcript, Arrays.copyOf(content, ends[1]));

      // A hint behind the server's offset (the digest of that shorter prefix): a 409, then on.
      Files.writeString(
          hint, ends[0] + " " + Transcripts.sha256(Arrays.copyOf(content, ends[0])) + "\n");
      Files.write(transcript, Arrays.copyOf(content, ends[3]));
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(service.bytes("main")).isEqualTo(Arrays.copyOf(content, ends[3]));

      // A hint that does not match the file, or is no hint: the sync asks.
      for (String forged : List.of("99999999 " + "0".repeat(64) + "\n", "garbage")) {
        Files.writeString(hint, forged);
        before = server.requests.size();
        PodScript.run("claude-transcript-sync", batchInput(transcript), every);
        assertThat(server.requests.subList(before, server.requests.size()))
            .extracting(StubServer.Request::method)
            .containsExactly("GET");
      }

      // The agent rewrites what was uploaded and forges a hint to match: the upload's prefix digest
      // still tells the server, which records it and takes the file again from its start.
      byte[] rewritten = Arrays.copyOf(content, ends[4]);
      rewritten[10] = (byte) (rewritten[10] == 'x' ? 'y' : 'x');
      Files.write(transcript, rewritten);
      Files.writeString(
          hint, ends[3] + " " + Transcripts.sha256(Arrays.copyOf(rewritten, ends[3])) + "\n");
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(service.rewrites).containsExactly(SESSION + "/main rewritten");
      assertThat(service.bytes("main")).isEqualTo(rewritten);

      // A symlink planted as the hint is neither followed nor written through.
      Files.delete(hint);
      Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "not the agent's to touch");
      Files.createSymbolicLink(hint, elsewhere);
      Files.write(transcript, Arrays.copyOfRange(content, ends[4], ends[5]), APPEND);
      PodScript.run("claude-transcript-sync", batchInput(transcript), every);
      assertThat(Files.readString(elsewhere)).isEqualTo("not the agent's to touch");
      assertThat(service.bytes("main").length).isEqualTo(ends[5]);
    }
  }

  private static int firstLineEndAfter(byte[] content, int from) {
    for (int i = from; i < content.length; i++) {
      if (content[i] == '\n') {
        return i + 1;
      }
    }
    return content.length;
  }

  private static String batchInput(Path transcript) throws Exception {
    ObjectNode input = (ObjectNode) JSON.readTree(PodScript.fixture("PostToolBatch.json"));
    input.put("session_id", SESSION);
    input.put("transcript_path", transcript.toString());
    return input.toString();
  }

  private static String stopInput(Path transcript) throws Exception {
    ObjectNode input = (ObjectNode) JSON.readTree(PodScript.fixture("Stop.json"));
    input.put("transcript_path", transcript.toString());
    return input.toString();
  }

  private static Path copy(String fixture, Path to) throws Exception {
    return Files.copy(RepoPaths.claudeCodeFixtures().resolve("transcripts").resolve(fixture), to);
  }

  private static PodScript.Setup env(String url) {
    return new PodScript.Setup()
        .managed("TRANSCRIPT_SERVICE_URL", url)
        .managed("CLAUDE_TELEMETRY_TOKEN", "pod-token-1")
        .managed("CLAUDE_TELEMETRY_USER", "alice");
  }
}
