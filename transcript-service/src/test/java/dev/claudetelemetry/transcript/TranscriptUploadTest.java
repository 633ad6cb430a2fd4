package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.exportTranscript;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.upload;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class TranscriptUploadTest {
  private static final byte[] DENIALS = bytes("transcripts/session-with-denials.jsonl");

  private static int lineCount(byte[] content) {
    int n = 0;
    for (byte b : content) {
      n += b == '\n' ? 1 : 0;
    }
    return n;
  }

  @Test
  void shouldStoreAWholeTranscriptAndGiveItBackVerbatim() {
    String session = newSessionId();
    upload(session, "main", 0, DENIALS)
        .then()
        .statusCode(200)
        .body("offset", equalTo(DENIALS.length))
        .body("linesStored", equalTo(lineCount(DENIALS)));

    assertThat(exportTranscript(session, "main")).isEqualTo(DENIALS);
    writer()
        .get("/v1/transcripts/{s}/files/main", session)
        .then()
        .statusCode(200)
        .body("offset", equalTo(DENIALS.length))
        .body("lines", equalTo(48))
        .body("fileId", equalTo("main"));
  }

  @Test
  void shouldStoreOnlyCompleteLinesAndResumeFromTheAnsweredOffset() {
    String session = newSessionId();
    int cut = DENIALS.length / 2;
    int lastNewline = lastNewlineBefore(DENIALS, cut);
    long offset =
        upload(session, "main", 0, Arrays.copyOf(DENIALS, cut))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getLong("offset");
    assertThat(offset).isEqualTo(lastNewline + 1);

    upload(session, "main", offset, Arrays.copyOfRange(DENIALS, (int) offset, DENIALS.length))
        .then()
        .statusCode(200)
        .body("offset", equalTo(DENIALS.length));
    assertThat(exportTranscript(session, "main")).isEqualTo(DENIALS);
  }

  @Test
  void shouldChangeNothingWhenTheSameBytesAreSentAgain() {
    String session = newSessionId();
    upload(session, "main", 0, DENIALS).then().statusCode(200);
    // A retry whose first answer was lost: only the acknowledged offset is taken, and the answer
    // says where that is.
    upload(session, "main", 0, DENIALS)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", endsWith("/offset-behind"))
        .body("expectedOffset", equalTo(DENIALS.length));

    // An overlapping retry: starts before the acknowledged offset and carries two new lines after
    // it. Refused whole; the same lines sent from the acknowledged offset are stored.
    byte[] more =
        "{\"type\":\"last-prompt\",\"n\":1}\n{\"type\":\"last-prompt\",\"n\":2}\n"
            .getBytes(StandardCharsets.UTF_8);
    byte[] overlap =
        concat(Arrays.copyOfRange(DENIALS, DENIALS.length - 100, DENIALS.length), more);
    upload(session, "main", DENIALS.length - 100, overlap)
        .then()
        .statusCode(409)
        .body("expectedOffset", equalTo(DENIALS.length));
    assertThat(exportTranscript(session, "main")).isEqualTo(DENIALS);
    upload(session, "main", DENIALS.length, more)
        .then()
        .statusCode(200)
        .body("offset", equalTo(DENIALS.length + more.length))
        .body("linesStored", equalTo(2));

    assertThat(exportTranscript(session, "main")).isEqualTo(concat(DENIALS, more));
    assertThat(sql("SELECT count(*) FROM transcript_lines WHERE session_id = '" + session + "'"))
        .isEqualTo("50");
  }

  @Test
  void shouldAnswerAGapWith409AndTheOffsetToResumeFrom() {
    String session = newSessionId();
    upload(session, "main", 0, Arrays.copyOf(DENIALS, lastNewlineBefore(DENIALS, 5000) + 1))
        .then()
        .statusCode(200);
    long acknowledged = lastNewlineBefore(DENIALS, 5000) + 1;

    upload(session, "main", acknowledged + 10, "{}\n".getBytes(StandardCharsets.UTF_8))
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("expectedOffset", equalTo((int) acknowledged))
        .body("detail", containsString("resend from there"));
  }

  @Test
  void shouldStoreTimestampsExactlyToTheMicrosecondAndDropImpossibleOnes() {
    String session = newSessionId();
    String body =
        Stream.of(
                "1969-12-31T23:59:59.250Z",
                "2026-11-24T07:14:13.123456Z",
                "2026-11-24T09:00:00+02:00",
                "2025-02-30T10:00:00.000Z",
                "+10000-01-01T00:00:00Z")
            .map(t -> "{\"type\":\"user\",\"timestamp\":\"" + t + "\"}\n")
            .collect(Collectors.joining());
    upload(session, "main", 0, body.getBytes(StandardCharsets.UTF_8))
        .then()
        .statusCode(200)
        .body("linesStored", equalTo(5));

    assertThat(
            sql(
                "SELECT string_agg(coalesce(occurred_at::text, '-'), ',' ORDER BY line_no)"
                    + " FROM transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo(
            "1969-12-31 23:59:59.25+00,2026-11-24 07:14:13.123456+00,2026-11-24 07:00:00+00,-,-");
  }

  @Test
  void shouldKeepLinesThatAreNotJsonAsFlaggedText() {
    String session = newSessionId();
    byte[] body =
        ("{\"type\":\"user\",\"uuid\":\"u-1\",\"timestamp\":\"2026-11-24T07:14:13.818Z\"}\n"
                + "this is not json {\n\n{\"type\":\"system\"} trailing\n")
            .getBytes(StandardCharsets.UTF_8);
    upload(session, "main", 0, body).then().statusCode(200).body("linesStored", equalTo(4));

    assertThat(exportTranscript(session, "main")).isEqualTo(body);
    assertThat(
            sql(
                "SELECT string_agg(line_no || ':' || not_json || ':' || coalesce(line_type, '-') || ':'"
                    + " || coalesce(uuid, '-') || ':' || coalesce(occurred_at::text, '-'), ',' ORDER BY line_no)"
                    + " FROM transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo(
            "1:false:user:u-1:2026-11-24 07:14:13.818+00,2:true:-:-:-,3:true:-:-:-,4:true:-:-:-");
  }

  @Test
  void shouldStoreEachLineOnceWhenTheSameFileIsUploadedConcurrently() throws Exception {
    String session = newSessionId();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Callable<Void>> clients = new ArrayList<>();
      for (int client = 0; client < 6; client++) {
        int chunk = 3000 + client * 1700;
        clients.add(
            () -> {
              syncLikeTheClient(session, chunk);
              return null;
            });
      }
      for (Future<Void> done : pool.invokeAll(clients)) {
        done.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(exportTranscript(session, "main")).isEqualTo(DENIALS);
    assertThat(
            sql(
                "SELECT count(*) || '/' || count(DISTINCT line_no) || '/' || max(line_no)"
                    + " FROM transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo("48/48/48");
  }

  @Test
  void shouldStoreTheMainTranscriptAndSubagentsAsSeparateFiles() {
    String session = newSessionId();
    byte[] main = bytes("transcripts/session-with-subagents.jsonl");
    byte[] agent = bytes("transcripts/subagent.jsonl");
    upload(session, "main", 0, main).then().statusCode(200);
    upload(session, "agent-a5cb3eb4d78a347de", 0, agent)
        .then()
        .statusCode(200)
        .body("linesStored", equalTo(24));

    assertThat(exportTranscript(session, "main")).isEqualTo(main);
    assertThat(exportTranscript(session, "agent-a5cb3eb4d78a347de")).isEqualTo(agent);

    // The whole session in one export: main, then the subagent, and which lines belong to which
    // file.
    io.restassured.response.Response whole =
        reader()
            .queryParam("file", "*")
            .get("/v1/sessions/{id}/transcript", session)
            .then()
            .statusCode(200)
            .contentType("application/x-ndjson")
            .extract()
            .response();
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.writeBytes(main);
    both.writeBytes(agent);
    assertThat(whole.asByteArray()).isEqualTo(both.toByteArray());
    assertThat(whole.header("X-Claude-Telemetry-Files"))
        .isEqualTo("main=" + lineCount(main) + ",agent-a5cb3eb4d78a347de=24");
    assertThat(whole.header("Content-Disposition"))
        .contains("attachment")
        .contains(session + ".jsonl");
  }

  @Test
  void shouldRefuseBadIdsOffsetsAndBodiesWithAReason() {
    upload("not a session!", "main", 0, "{}\n".getBytes())
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("session id"));
    upload(newSessionId(), "../etc", 0, "{}\n".getBytes())
        .then()
        .statusCode(400)
        .body("detail", containsString("file id"));
    upload(newSessionId(), "main", -1, "{}\n".getBytes())
        .then()
        .statusCode(400)
        .body("detail", containsString("offset"));
    writer()
        .contentType("application/octet-stream")
        .body("{}\n".getBytes())
        .post("/v1/transcripts/{s}/files/main", newSessionId())
        .then()
        .statusCode(400)
        .body("detail", containsString("'offset'"));
    upload(newSessionId(), "main", 0, new byte[1024 * 1024 + 1])
        .then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("detail", containsString("chunks"));
  }

  /** What claude-transcript-sync does: ask for the offset, send the rest in chunks, follow 409s. */
  private static void syncLikeTheClient(String session, int chunk) {
    long offset =
        writer().get("/v1/transcripts/{s}/files/main", session).jsonPath().getLong("offset");
    while (offset < DENIALS.length) {
      int end = (int) Math.min(DENIALS.length, offset + chunk);
      var response =
          upload(session, "main", offset, Arrays.copyOfRange(DENIALS, (int) offset, end));
      if (response.statusCode() == 409) {
        offset = response.jsonPath().getLong("expectedOffset");
        continue;
      }
      assertThat(response.statusCode()).isEqualTo(200);
      long next = response.jsonPath().getLong("offset");
      if (next == offset) {
        chunk *= 2; // the next line is longer than the chunk: send more
      }
      offset = next;
    }
  }

  static int lastNewlineBefore(byte[] content, int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (content[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
