package dev.claudetelemetry.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (Debian's 2.42) with a given config, on 127.0.0.1 and a free port, in a temp
 * dir.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int port;
  private final ManagedProcess process;

  private PrometheusServer(int port, ManagedProcess process) {
    this.port = port;
    this.process = process;
  }

  /** Starts Prometheus with {@code configYaml} (use 1s scrape intervals in tests). */
  public static PrometheusServer start(String configYaml, Path workDir) {
    try {
      Files.createDirectories(workDir);
      Path config = workDir.resolve("prometheus.yml");
      Files.writeString(config, configYaml);
      int port = FreePorts.next();
      ManagedProcess process =
          ManagedProcess.start(
              "prometheus",
              List.of(
                  "prometheus",
                  "--config.file=" + config,
                  "--web.listen-address=127.0.0.1:" + port,
                  "--storage.tsdb.path=" + workDir.resolve("data"),
                  "--web.enable-lifecycle",
                  "--log.level=warn"),
              Map.of(),
              workDir.resolve("prometheus.log"));
      PrometheusServer server = new PrometheusServer(port, process);
      process.awaitReady(() -> Http.isOk(server.url("/-/ready")), Duration.ofSeconds(30));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /**
   * An instant query; returns the {@code data} object, or throws with Prometheus' own error text.
   */
  public JsonNode query(String promql) {
    return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** GET any API path ({@code /api/v1/...}); returns {@code data}. */
  public JsonNode api(String pathAndQuery) {
    try {
      JsonNode body = JSON.readTree(Http.get(url(pathAndQuery)));
      if (!"success".equals(body.path("status").asText())) {
        throw new IllegalStateException("Prometheus said " + body);
      }
      return body.path("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until every scrape target reports health "up". */
  public void awaitTargetsUp(int expected, Duration timeout) {
    process.awaitReady(
        () -> {
          JsonNode active = api("/api/v1/targets").path("activeTargets");
          long up = 0;
          for (JsonNode t : active) {
            if ("up".equals(t.path("health").asText())) {
              up++;
            }
          }
          return up >= expected;
        },
        timeout);
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
