package dev.claudetelemetry.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The dashboards in {@code grafana-dashboards/}, read as data: panels, their queries, their
 * variables.
 */
final class Dashboards {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A query of a panel: PromQL for Prometheus targets, SQL for PostgreSQL ones. */
  record Query(String dashboard, String panel, String refId, String datasourceUid, String text) {
    boolean isPromQl() {
      return "${datasource}".equals(datasourceUid);
    }

    boolean isSql() {
      return "${postgres}".equals(datasourceUid);
    }

    @Override
    public String toString() {
      return dashboard + " / " + panel + " / " + refId;
    }
  }

  record Dashboard(Path file, JsonNode json) {
    String uid() {
      return json.path("uid").asText();
    }

    String fileStem() {
      String name = file.getFileName().toString();
      return name.substring(0, name.length() - ".json".length());
    }

    /** Every panel, including panels nested inside collapsed rows. */
    List<JsonNode> panels() {
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode panel : json.path("panels")) {
        all.add(panel);
        panel.path("panels").forEach(all::add);
      }
      return all;
    }

    /** Panels that show data (rows only group them). */
    List<JsonNode> dataPanels() {
      return panels().stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    }

    List<JsonNode> variables() {
      List<JsonNode> list = new ArrayList<>();
      json.path("templating").path("list").forEach(list::add);
      return list;
    }

    List<Query> queries() {
      List<Query> queries = new ArrayList<>();
      for (JsonNode panel : dataPanels()) {
        for (JsonNode target : panel.path("targets")) {
          String uid =
              target
                  .path("datasource")
                  .path("uid")
                  .asText(panel.path("datasource").path("uid").asText());
          String text =
              target.has("rawSql") ? target.path("rawSql").asText() : target.path("expr").asText();
          queries.add(
              new Query(
                  uid(), panel.path("title").asText(), target.path("refId").asText(), uid, text));
        }
      }
      return queries;
    }
  }

  private Dashboards() {}

  static Path directory() {
    return RepoPaths.root().resolve("grafana-dashboards");
  }

  static List<Dashboard> all() {
    try (Stream<Path> files = Files.list(directory())) {
      List<Dashboard> dashboards = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        dashboards.add(new Dashboard(file, JSON.readTree(file.toFile())));
      }
      if (dashboards.isEmpty()) {
        throw new IllegalStateException("no dashboards in " + directory());
      }
      return dashboards;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Query> allQueries() {
    return all().stream().flatMap(d -> d.queries().stream()).toList();
  }

  /**
   * The query as Grafana would send it, with the template variables of a test run filled in.
   * Grafana's own intervals become 5m, a window that holds the whole workload of a test run (so no
   * query depends on how long ago its counters last moved), and the range 1h.
   */
  static String substitute(String query, Map<String, String> variables) {
    String result =
        query
            .replace("$__rate_interval", "5m")
            .replace("$__interval", "5m")
            .replace("$__range", "1h");
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      result =
          result
              .replace("${" + variable.getKey() + ":regex}", variable.getValue())
              .replace("${" + variable.getKey() + "}", variable.getValue())
              .replace("$" + variable.getKey(), variable.getValue());
    }
    return result;
  }
}
