package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.sql;
import static dev.claudetelemetry.transcript.Fixtures.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Big inputs: a 50 MB transcript in body-sized chunks, and lines longer than the line and body
 * limits.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class LargeTranscriptTest {
  /** The test profile's limits (application.properties). */
  private static final int MAX_BODY = 1024 * 1024;

  private static final int MAX_LINE = 256 * 1024;

  @Test
  void shouldStoreA50MegabyteTranscriptSentInChunksAndExportItUnchanged() throws Exception {
    byte[] one = bytes("transcripts/session-with-denials.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream(52 * 1024 * 1024);
    int copies = 0;
    while (out.size() < 50 * 1024 * 1024) {
      out.writeBytes(one);
      copies++;
    }
    byte[] big = out.toByteArray();
    String session = newSessionId();

    long offset = 0;
    while (offset < big.length) {
      int end = (int) Math.min(big.length, offset + MAX_BODY);
      offset =
          upload(session, "main", offset, Arrays.copyOfRange(big, (int) offset, end))
              .then()
              .statusCode(200)
              .extract()
              .jsonPath()
              .getLong("offset");
    }

    assertThat(offset).isEqualTo(big.length);
    assertThat(sql("SELECT count(*) FROM transcript_lines WHERE session_id = '" + session + "'"))
        .isEqualTo(Integer.toString(48 * copies));
    // The compressed lines are lz4 (V7; this test's PostgreSQL has it), and come back unchanged.
    assertThat(
            sql(
                "SELECT string_agg(DISTINCT pg_column_compression(content), ',') FROM"
                    + " transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo("lz4");
    try (InputStream export =
        reader()
            .queryParam("file", "main")
            .get("/v1/sessions/{id}/transcript", session)
            .then()
            .statusCode(200)
            .extract()
            .asInputStream()) {
      assertThat(sha256(export)).isEqualTo(sha256(new java.io.ByteArrayInputStream(big)));
    }
  }

  @Test
  void shouldStoreAnOverlongLineTruncatedAndMoveOn() {
    String session = newSessionId();
    String longLine = "{\"type\":\"user\",\"pad\":\"" + "x".repeat(MAX_LINE) + "\"}";
    byte[] body = (longLine + "\n{\"type\":\"assistant\"}\n").getBytes(StandardCharsets.UTF_8);
    upload(session, "main", 0, body).then().statusCode(200).extract().jsonPath().getLong("offset");

    assertThat(
            sql(
                "SELECT string_agg(line_no || ':' || truncated || ':' || not_json || ':' || length(coalesce(raw_text, content::text)),"
                    + " ',' ORDER BY line_no) FROM transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo("1:true:true:" + MAX_LINE + ",2:false:false:20");
  }

  @Test
  void shouldNeverGetStuckOnALineLongerThanAnyBody() {
    String session = newSessionId();
    byte[] huge =
        ("{\"pad\":\"" + "y".repeat(3 * MAX_BODY) + "\"}\n{\"type\":\"after\"}\n")
            .getBytes(StandardCharsets.UTF_8);
    long offset = 0;
    int requests = 0;
    while (offset < huge.length) {
      int end = (int) Math.min(huge.length, offset + MAX_BODY);
      long next =
          upload(session, "main", offset, Arrays.copyOfRange(huge, (int) offset, end))
              .then()
              .statusCode(200)
              .extract()
              .jsonPath()
              .getLong("offset");
      assertThat(next).as("every full-size chunk moves the offset").isGreaterThan(offset);
      offset = next;
      assertThat(++requests).isLessThan(10);
    }
    assertThat(
            sql(
                "SELECT string_agg(line_no || ':' || truncated || ':' || coalesce(line_type, '-'), ','"
                    + " ORDER BY line_no) FROM transcript_lines WHERE session_id = '"
                    + session
                    + "'"))
        .isEqualTo("1:true:-,2:false:after");
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) > 0; ) {
      sha.update(buffer, 0, n);
    }
    return java.util.HexFormat.of().formatHex(sha.digest());
  }
}
