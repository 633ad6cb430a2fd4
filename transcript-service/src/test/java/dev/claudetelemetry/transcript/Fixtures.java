package dev.claudetelemetry.transcript;

import static io.restassured.RestAssured.given;

import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/** Tokens, recorded Claude Code fixtures and the calls the tests make again and again. */
final class Fixtures {
  static final String WRITE = "test-write-token";
  static final String READ = "test-read-token";

  private Fixtures() {}

  /**
   * A request to the management interface, where /q/metrics and /q/health live: the port the test
   * run bound ({@code quarkus.management.test-port=0} resolves to a free one).
   */
  static RequestSpecification management() {
    return given()
        .port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class));
  }

  static Path claudeCode(String relative) {
    return RepoPaths.claudeCodeFixtures().resolve(relative);
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(claudeCode(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String relative) {
    return new String(bytes(relative), java.nio.charset.StandardCharsets.UTF_8);
  }

  static String newSessionId() {
    return UUID.randomUUID().toString();
  }

  static RequestSpecification writer() {
    return given().header("Authorization", "Bearer " + WRITE);
  }

  static RequestSpecification reader() {
    return given().header("Authorization", "Bearer " + READ);
  }

  /** Posts a batch of hook events ({@code {"events": [...]}}) with the write token. */
  static Response postEvents(String batch) {
    return writer().contentType("application/json").body(batch).post("/v1/events");
  }

  static Response upload(String session, String file, long offset, byte[] body) {
    return writer()
        .contentType("application/octet-stream")
        .body(body)
        .post("/v1/transcripts/{s}/files/{f}?offset=" + offset, session, file);
  }

  static byte[] exportTranscript(String session, String file) {
    return reader()
        .queryParam("file", file)
        .get("/v1/sessions/{id}/transcript", session)
        .then()
        .statusCode(200)
        .contentType("application/x-ndjson")
        .extract()
        .asByteArray();
  }

  /**
   * Runs a query against the service's database behind its back; the first column of the first row
   * as text.
   */
  static String sql(String query) {
    try (Connection c =
            DriverManager.getConnection(
                PostgresResource.server().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
        Statement statement = c.createStatement()) {
      if (!statement.execute(query)) {
        return Integer.toString(statement.getUpdateCount());
      }
      try (ResultSet rs = statement.getResultSet()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + query, e);
    }
  }
}
