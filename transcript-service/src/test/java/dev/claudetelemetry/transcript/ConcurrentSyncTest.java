package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.exportTranscript;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Several syncs of one file at once, as in the pod: the per-batch sync runs asynchronously, and
 * Stop, SubagentStop, PreCompact and SessionEnd start theirs while it may still run. Each sync here
 * speaks exactly the protocol of claude-transcript-sync (ask for the offset, read the file's size
 * and hash its prefix after that, send from the offset with size and digest, follow 409s) over a
 * file that Claude Code keeps appending to, a line at a time and sometimes half a line. None of
 * them is a rewrite; the agent's own cut or edit, made while syncs race, still is.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ConcurrentSyncTest {
  private static final int SYNCS = 6;
  private static final int ROUNDS = 12;

  /**
   * A transcript that only grows: its bytes so far are a prefix of {@code content}. Claude Code
   * appends between any two reads of it (up to 4 KiB, often less than a line), so a sync that reads
   * it later sees more, and may get further first, than one that read it earlier.
   */
  private static final class GrowingFile {
    final byte[] content;
    final AtomicInteger length = new AtomicInteger();

    GrowingFile(byte[] content) {
      this.content = content;
    }

    byte[] now() {
      int step =
          ThreadLocalRandom.current().nextInt(2) * (1 + ThreadLocalRandom.current().nextInt(4096));
      return Arrays.copyOf(
          content, length.accumulateAndGet(step, (n, add) -> Math.min(content.length, n + add)));
    }

    boolean whole() {
      return length.get() == content.length;
    }
  }

  private static byte[] transcript() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes("transcripts/session-with-denials.jsonl"));
    out.writeBytes(bytes("transcripts/session-with-subagents.jsonl"));
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes, int length) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(bytes, length)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Response post(String session, long offset, byte[] file, byte[] body) {
    var request =
        writer()
            .contentType("application/octet-stream")
            .header("X-Transcript-Size", Integer.toString(file.length))
            .body(body);
    if (file.length >= offset) {
      request.header("X-Transcript-Prefix-Sha256", sha256(file, (int) offset));
    }
    return request.post("/v1/transcripts/{s}/files/main?offset=" + offset, session);
  }

  /** One run of claude-transcript-sync over {@code file}; false if it gave up on 409s. */
  private static boolean sync(String session, GrowingFile file, int chunk) {
    long offset =
        writer().get("/v1/transcripts/{s}/files/main", session).jsonPath().getLong("offset");
    for (int conflicts = 0; conflicts <= 16; ) {
      // Read after the offset is known, as the client does: the file is then at least that long.
      byte[] now = file.now();
      if (offset == now.length) {
        return true;
      }
      byte[] body =
          offset < now.length
              ? Arrays.copyOfRange(now, (int) offset, (int) Math.min(now.length, offset + chunk))
              : new byte[0];
      Response answer = post(session, offset, now, body);
      if (answer.statusCode() == 409) {
        conflicts++;
        offset = answer.jsonPath().getLong("expectedOffset");
        continue;
      }
      assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
      long next = answer.jsonPath().getLong("offset");
      if (next == offset) {
        if (body.length < chunk) {
          return true; // only a line still being written is left
        }
        chunk *= 2;
      }
      offset = next;
    }
    return false;
  }

  private static List<Object> rewrites(String session) {
    return reader()
        .get("/v1/sessions/{id}", session)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("rewrites");
  }

  /**
   * {@link #SYNCS} syncs start together, round after round (at least {@link #ROUNDS}, and until the
   * file is whole); then the last sync, as at SessionEnd.
   */
  private static void raceOver(String session, GrowingFile file, long seed) throws Exception {
    Random random = new Random(seed);
    ExecutorService pool = Executors.newFixedThreadPool(SYNCS);
    try {
      for (int round = 0; round < ROUNDS || !file.whole(); round++) {
        List<Callable<Boolean>> syncs = new ArrayList<>();
        for (int i = 0; i < SYNCS; i++) {
          int chunk = 1500 + random.nextInt(6000);
          syncs.add(() -> sync(session, file, chunk));
        }
        for (Future<Boolean> done : pool.invokeAll(syncs)) {
          done.get();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(sync(session, file, 8192)).isTrue();
  }

  @Test
  void shouldStoreAGrowingFileExactlyOnceWhileItsSyncsRace() throws Exception {
    byte[] content = transcript();
    for (int repeat = 0; repeat < 2; repeat++) {
      String session = newSessionId();
      GrowingFile file = new GrowingFile(content);
      raceOver(session, file, repeat);

      assertThat(rewrites(session)).isEmpty();
      assertThat(exportTranscript(session, "main")).isEqualTo(content);
      writer()
          .get("/v1/transcripts/{s}/files/main", session)
          .then()
          .body("generation", equalTo(1))
          .body("offset", equalTo(content.length))
          .body("prefixSha256", equalTo(sha256(content, content.length)));
    }
  }

  @Test
  void shouldTakeAStaleSyncForNeitherAShrunkNorARewrittenFile() {
    String session = newSessionId();
    byte[] content = transcript();
    int first = lineEndAfter(content, 10_000);
    int second = lineEndAfter(content, 30_000);
    // Sync A learns offset 0 and reads the file at its first size; sync B reads it later, longer,
    // and gets there first.
    byte[] seenByA = Arrays.copyOf(content, first);
    byte[] seenByB = Arrays.copyOf(content, second);
    post(session, 0, seenByB, seenByB).then().statusCode(200);

    // A's size is below what B got acknowledged, and its digest is of another prefix: both are of
    // a file read before that acknowledgement, and prove nothing.
    post(session, 0, seenByA, seenByA)
        .then()
        .statusCode(409)
        .body("type", endsWith("/offset-behind"))
        .body("expectedOffset", equalTo(second));
    post(session, first, seenByA, new byte[0])
        .then()
        .statusCode(409)
        .body("expectedOffset", equalTo(second));
    assertThat(rewrites(session)).isEmpty();

    // A reads its file again after that answer, and goes on from there.
    byte[] now = Arrays.copyOf(content, lineEndAfter(content, 50_000));
    post(session, second, now, Arrays.copyOfRange(now, second, now.length))
        .then()
        .statusCode(200)
        .body("offset", equalTo(now.length));
    assertThat(exportTranscript(session, "main")).isEqualTo(now);
    assertThat(rewrites(session)).isEmpty();
  }

  @Test
  void shouldStillRecordTheAgentsCutAndEditWhileSyncsRace() {
    String session = newSessionId();
    byte[] content = transcript();
    int acked = lineEndAfter(content, 40_000);
    byte[] file = Arrays.copyOf(content, acked);
    post(session, 0, file, file).then().statusCode(200);

    // A stale sync with a cut file changes nothing; the next one, reading after it learnt the
    // offset, finds the cut.
    byte[] cut = Arrays.copyOf(content, lineEndAfter(content, 20_000));
    post(session, 0, cut, cut).then().statusCode(409).body("type", endsWith("/offset-behind"));
    post(session, acked, cut, new byte[0])
        .then()
        .statusCode(409)
        .body("type", endsWith("/transcript-shrank"))
        .body("expectedOffset", equalTo(0));
    post(session, 0, cut, cut).then().statusCode(200);

    // The agent edits a stored line in place (same length) and Claude Code appends: found too.
    byte[] edited = Arrays.copyOf(content, lineEndAfter(content, 30_000));
    edited[5_000] = (byte) (edited[5_000] == 'x' ? 'y' : 'x');
    post(session, cut.length, edited, Arrays.copyOfRange(edited, cut.length, edited.length))
        .then()
        .statusCode(409)
        .body("type", endsWith("/transcript-rewritten"));
    assertThat(rewrites(session)).hasSize(2);
    writer().get("/v1/transcripts/{s}/files/main", session).then().body("generation", equalTo(3));
  }

  private static int lineEndAfter(byte[] content, int from) {
    for (int i = from; i < content.length; i++) {
      if (content[i] == '\n') {
        return i + 1;
      }
    }
    return content.length;
  }
}
