package dev.claudetelemetry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealProcessesTest {

  @Test
  void shouldStartAQueryablePostgresAndRemoveItOnClose() {
    Path dataRoot;
    try (PostgresServer pg = PostgresServer.start()) {
      assertThat(
              pg.psql(
                  "SELECT count(*) FROM pg_database WHERE datname = '"
                      + PostgresServer.DATABASE
                      + "'"))
          .isEqualTo("1");
      assertThat(pg.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:" + pg.port() + "/");
      dataRoot = Path.of(pg.psql("SHOW data_directory")).getParent();
      assertThat(dataRoot).exists();
    }
    assertThat(dataRoot).doesNotExist();
  }

  @Test
  void shouldStartPrometheusThatScrapesItselfAndReportsBadPromql(@TempDir Path dir) {
    int port = FreePorts.next();
    // Prometheus scrapes its own /metrics: the target exists only once the server listens on that
    // port.
    String config =
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: self
            static_configs: [{targets: ['127.0.0.1:%d']}]
        """
            .formatted(port);
    try (PrometheusServer prometheus = PrometheusServer.start(config, dir)) {
      assertThat(prometheus.url("/")).doesNotContain(":" + port + "/"); // a different, free port
      assertThat(prometheus.query("vector(1)").path("result").get(0).path("value").get(1).asText())
          .isEqualTo("1");
      assertThatThrownBy(() -> prometheus.query("sum(")).hasMessageContaining("400");
    }
  }

  @Test
  void shouldFailWithTheLogWhenAProcessDiesBeforeReady(@TempDir Path dir) {
    try (ManagedProcess process =
        ManagedProcess.start(
            "dies",
            java.util.List.of("sh", "-c", "echo boom; exit 3"),
            java.util.Map.of(),
            dir.resolve("dies.log"))) {
      assertThatThrownBy(() -> process.awaitReady(() -> false, Duration.ofSeconds(10)))
          .hasMessageContaining("exited with 3")
          .hasMessageContaining("boom");
    }
    assertThat(Files.exists(dir.resolve("dies.log"))).isTrue();
  }
}
