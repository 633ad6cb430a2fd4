package dev.claudetelemetry.transcript;

import dev.claudetelemetry.testsupport.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real, throwaway PostgreSQL 15 for the test run (initdb + pg_ctl as user postgres, free port).
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
  private static volatile PostgresServer server;

  @Override
  public Map<String, String> start() {
    server = PostgresServer.start();
    return Map.of(
        "quarkus.datasource.jdbc.url", server.jdbcUrl(),
        "quarkus.datasource.username", PostgresServer.USER,
        "quarkus.datasource.password", PostgresServer.PASSWORD);
  }

  @Override
  public void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * The running server, for tests that look at or change the database behind the service's back.
   */
  public static PostgresServer server() {
    return server;
  }
}
