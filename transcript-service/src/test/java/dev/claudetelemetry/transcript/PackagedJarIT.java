package dev.claudetelemetry.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a deployment runs it: configured only through the documented environment
 * variables, migrating its schema at start, and keeping everything across a restart.
 */
class PackagedJarIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static PostgresServer postgres;
  private static Path logs;

  @BeforeAll
  static void database() throws Exception {
    postgres = PostgresServer.start();
    logs = Files.createDirectories(Path.of("target/it-logs"));
  }

  @AfterAll
  static void stopDatabase() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static ServiceJar start(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(postgres.quarkusEnv());
    env.putAll(extra);
    return ServiceJar.start("transcript-service", env, logs);
  }

  @Test
  void shouldKeepEveryLineAcrossARestartBetweenUploads() throws Exception {
    Map<String, String> tokens =
        Map.of("TRANSCRIPT_WRITE_TOKEN", "w-1,w-2", "TRANSCRIPT_READ_TOKEN", "r-1");
    byte[] transcript =
        Files.readAllBytes(Fixtures.claudeCode("transcripts/session-with-denials.jsonl"));
    String session = UUID.randomUUID().toString();
    int half = TranscriptUploadTest.lastNewlineBefore(transcript, transcript.length / 2) + 1;

    try (ServiceJar service = start(tokens)) {
      HttpResponse<String> first =
          post(
              service,
              "/v1/transcripts/" + session + "/files/main?offset=0",
              "w-1",
              Arrays.copyOf(transcript, half));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).contains("\"offset\":" + half);
    }
    try (ServiceJar service = start(tokens)) {
      HttpResponse<String> status =
          get(service, "/v1/transcripts/" + session + "/files/main", "w-2");
      assertThat(status.body()).contains("\"offset\":" + half);
      assertThat(
              post(
                      service,
                      "/v1/transcripts/" + session + "/files/main?offset=" + half,
                      "w-2",
                      Arrays.copyOfRange(transcript, half, transcript.length))
                  .statusCode())
          .isEqualTo(200);

      HttpResponse<byte[]> export =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(service.url("/v1/sessions/" + session + "/transcript")))
                  .header("Authorization", "Bearer r-1")
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(export.statusCode()).isEqualTo(200);
      assertThat(export.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
      assertThat(export.body()).isEqualTo(transcript);
    }
  }

  @Test
  void shouldStayClosedAndSaySoWhenNoTokenIsConfigured() throws Exception {
    try (ServiceJar service = start(Map.of())) {
      assertThat(get(service, "/v1/sessions", "").statusCode()).isEqualTo(401);
      assertThat(
              post(service, "/v1/transcripts/s/files/main?offset=0", "", "{}\n".getBytes())
                  .statusCode())
          .isEqualTo(401);
      assertThat(service.process().logTail(200))
          .contains("TRANSCRIPT_WRITE_TOKEN is not set")
          .contains("TRANSCRIPT_READ_TOKEN is not set");
    }
  }

  @Test
  void shouldServeMetricsAndHealthOnTheManagementPortOnly() throws Exception {
    // The packaged jar's own configuration (not the test profile's) decides where they live.
    try (ServiceJar service = start(Map.of("TRANSCRIPT_READ_TOKEN", "r-1"))) {
      for (String path : List.of("/q/metrics", "/q/health/ready", "/q/health/live")) {
        HttpResponse<String> management =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(service.managementUrl(path))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(management.statusCode()).as("management %s", path).isEqualTo(200);
        assertThat(get(service, path, "r-1").statusCode()).as("main %s", path).isEqualTo(404);
      }
    }
  }

  private static HttpResponse<String> post(
      ServiceJar service, String path, String token, byte[] body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(service.url(path)))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(ServiceJar service, String path, String token)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(service.url(path)))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
