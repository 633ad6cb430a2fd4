package dev.claudetelemetry.e2e.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.testsupport.Http;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/** What the forwarding tests do to the real hook-ingest and read back from its audit trail. */
final class HookPosts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HookPosts() {}

  /**
   * Posts a recorded hook input ({@code testdata/claude-code/hooks/<fixture>}) as changed by {@code
   * fill}, expects it accepted, and returns hook-ingest's answer (what Claude Code would read).
   */
  static String post(
      HttpClient client, ServiceJar ingest, String token, String fixture, Consumer<ObjectNode> fill)
      throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                Files.readString(
                    RepoPaths.root().resolve("testdata/claude-code/hooks").resolve(fixture)));
    fill.accept(input);
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(ingest.url("/v1/hooks")))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  /** {@code column} (an SQL expression) of the session's hook events, one entry per stored row. */
  static List<String> stored(PostgresServer postgres, String session, String column) {
    String rows =
        postgres.psql(
            PostgresServer.DATABASE,
            "SELECT " + column + " FROM hook_events WHERE session_id = '" + session + "'");
    return rows.isBlank() ? List.of() : List.of(rows.strip().split("\n"));
  }

  /**
   * Hook events told apart by a number: {@code fixture} posted with {@code field} set to {@code
   * value(n)}, and read back from the audit trail by {@code column} (an SQL expression).
   */
  record Numbered(
      String token, String fixture, String field, String column, IntFunction<String> value) {

    void post(HttpClient client, ServiceJar ingest, String session, int n) throws Exception {
      HookPosts.post(
          client,
          ingest,
          token,
          fixture,
          input -> input.put("session_id", session).put(field, value.apply(n)));
    }

    /** The numbered field of the session's stored events, one entry per stored row. */
    List<String> stored(PostgresServer postgres, String session) {
      return HookPosts.stored(postgres, session, column);
    }

    /** The values of events 0 to {@code total - 1}, as {@link #stored} reads them. */
    List<String> values(int total) {
      return IntStream.range(0, total).mapToObj(value).toList();
    }
  }

  static MetricsSnapshot metrics(ServiceJar service) {
    return MetricsSnapshot.parse(Http.get(service.managementUrl("/q/metrics")));
  }
}
