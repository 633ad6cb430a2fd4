package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.deploy.monitoring.AlertRules.Rule;
import dev.claudetelemetry.deploy.monitoring.Dashboards.Query;
import dev.claudetelemetry.deploy.monitoring.Workload.Denial;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.PrometheusServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboards and rules against real data: the three services from their jars (PostgreSQL behind
 * transcript-service), a scripted workload through their real APIs (including real policy denials
 * and a fail-closed window while policy-service is frozen), Claude Code's recorded OTLP metrics
 * through the collector emulation, and a real Prometheus scraping all of it every second with the
 * rule file loaded. Every dashboard query and every rule expression is executed there. Users, teams
 * and budgets are those of ci/team-values.yaml: the chart renders hook-ingest's user→team file and
 * the budget rules, which run here as rendered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveMonitoringTest {
  private static final String INGEST_TOKEN = "live-monitoring-ingest-token";
  private static final String WRITE_TOKEN = "live-monitoring-write-token";
  private static final String READ_TOKEN = "live-monitoring-read-token";
  private static final String GRAFANA_ROLE = "grafana_reader";
  private static final List<String> USERS = List.of("alice", "bob");
  private static final String VALUES = "helm/claude-telemetry/ci/team-values.yaml";

  /**
   * Metric names and recording-rule names inside PromQL (ours are all claude_*, up, http_server_*,
   * level:metric:op).
   */
  private static final Pattern SELECTOR =
      Pattern.compile(
          "\\b(claude_[a-zA-Z0-9_]+|up|http_server_[a-zA-Z0-9_]+|[a-z_]+:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+)\\b(\\{[^}]*\\})?");

  private Path work;
  private PostgresServer postgres;
  private ServiceJar policyService;
  private ServiceJar transcriptService;
  private ServiceJar hookIngest;
  private CollectorPrometheusExporter collector;
  private PrometheusServer prometheus;
  private Workload workload;
  private Path policyFile;
  private RenderedRelease release;

  @BeforeAll
  void startEverythingAndRunTheWorkload() throws Exception {
    // Under target/ so logs and the Prometheus config stay inspectable after a failure; mvn clean
    // removes them.
    work = Path.of("target", "live-monitoring").toAbsolutePath();
    deleteTree(work);
    Files.createDirectories(work);
    policyFile = work.resolve("policy/policy.yaml");
    Files.createDirectories(policyFile.getParent());
    // The shipped policy plus one rule in dry run, so the guard dashboard's dry-run panel has data.
    Files.writeString(policyFile, RepoPaths.policyWithDryRunRule());
    Path logs = work.resolve("logs");
    release = RenderedRelease.render(VALUES);
    Path userTeams = work.resolve("user-teams.json");
    Files.writeString(userTeams, release.userTeamsFile());
    Files.writeString(budgetRules(), release.budgetRules());
    postgres = PostgresServer.start();
    // The role the chart creates for Grafana; transcript-service's migration grants it SELECT on
    // audit_denials.
    postgres.psql("CREATE ROLE " + GRAFANA_ROLE + " LOGIN");

    Map<String, String> transcriptEnv = new HashMap<>(postgres.quarkusEnv());
    transcriptEnv.put("TRANSCRIPT_WRITE_TOKEN", WRITE_TOKEN);
    transcriptEnv.put("TRANSCRIPT_READ_TOKEN", READ_TOKEN);
    CompletableFuture<ServiceJar> policy =
        CompletableFuture.supplyAsync(
            () ->
                ServiceJar.start(
                    "policy-service", Map.of("POLICY_FILE", policyFile.toString()), logs));
    CompletableFuture<ServiceJar> transcript =
        CompletableFuture.supplyAsync(
            () -> ServiceJar.start("transcript-service", transcriptEnv, logs));
    policyService = policy.join();
    transcriptService = transcript.join();
    hookIngest =
        ServiceJar.start(
            "hook-ingest",
            Map.of(
                "POLICY_SERVICE_URL",
                policyService.baseUrl(),
                "TRANSCRIPT_SERVICE_URL",
                transcriptService.baseUrl(),
                "TRANSCRIPT_SERVICE_TOKEN",
                WRITE_TOKEN,
                "HOOK_INGEST_TOKEN",
                INGEST_TOKEN,
                // As the chart runs it: the spool's metrics are what its alerts watch.
                "HOOK_INGEST_SPOOL_DIR",
                work.resolve("hook-ingest-spool").toString(),
                "HOOK_INGEST_USER_TEAMS",
                userTeams.toString()),
            logs);

    collector =
        new CollectorPrometheusExporter(
                RepoPaths.claudeCodeFixtures().resolve("otel/otlp-metrics.json"),
                USERS,
                release.teams())
            .start();
    prometheus = PrometheusServer.start(prometheusConfig(), work.resolve("prometheus"));
    // Generous: on a loaded 2-core machine a JVM's first /q/metrics can miss the 1 s scrape timeout
    // a few times.
    prometheus.awaitTargetsUp(4, Duration.ofSeconds(180));

    workload =
        new Workload(
            RepoPaths.claudeCodeFixtures(),
            hookIngest.baseUrl(),
            INGEST_TOKEN,
            transcriptService.baseUrl(),
            WRITE_TOKEN);
    // Two rounds a few scrapes apart, so every counter rises between scrapes and rate() has
    // something to say.
    USERS.forEach(workload::session);
    workload.otlpLogs();
    Thread.sleep(2500);
    freezePolicyServiceWhile(() -> workload.failClosedCall("alice"));
    // A broken policy edit: policy-service must refuse it and keep enforcing the last good one.
    Files.writeString(policyFile, "rules: [ this is not a policy\n");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        prometheus
                            .query("sum(claude_policy_reloads_total{result=\"refused\"})")
                            .path("result")
                            .path(0)
                            .path("value")
                            .path(1)
                            .asDouble())
                    .isGreaterThan(0));
    USERS.forEach(workload::session);
    workload.otlpLogs();
    // Forwarding batches linger a moment, then a few more scrapes.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        prometheus
                            .query("sum(claude_hook_forwarded_events_total)")
                            .path("result")
                            .path(0)
                            .path("value")
                            .path(1)
                            .asDouble())
                    .isGreaterThan(0));
    Thread.sleep(3000);
  }

  @AfterAll
  void stopEverything() {
    for (AutoCloseable closeable :
        new AutoCloseable[] {
          prometheus, collector, hookIngest, transcriptService, policyService, postgres
        }) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          System.err.println("could not stop " + closeable + ": " + e);
        }
      }
    }
  }

  @Test
  void everyDashboardQueryShouldRunAndReturnDataForAllUsers() {
    eventually(
        () ->
            assertDashboardQueriesReturnData(
                Map.of("user", ".*", "team", ".*", "model", ".*", "tool", ".*")));
  }

  @Test
  void everyDashboardQueryShouldReturnDataForOneUserAcrossHookAndClaudeCodeMetrics() {
    // The same `user` value selects hook-ingest's series and the collector's: the label contract
    // holds.
    eventually(
        () ->
            assertDashboardQueriesReturnData(
                Map.of(
                    "user",
                    "alice",
                    "team",
                    "platform",
                    "model",
                    "claude-opus-5-5",
                    "tool",
                    "Bash")));
  }

  @Test
  void noSeriesShouldCarryAnUnboundedLabel() {
    // The metric contract: never session ids, prompts, commands, paths or e-mail addresses as
    // labels.
    for (String label :
        List.of(
            "session_id",
            "prompt",
            "command",
            "file_path",
            "cwd",
            "tool_use_id",
            "user_email",
            "user_id",
            "prompt_id")) {
      assertThat(prometheus.query("{__name__=~\"claude_.+\", " + label + "!=\"\"}").path("result"))
          .as("series labelled %s", label)
          .isEmpty();
    }
    List<String> users = new ArrayList<>();
    prometheus
        .query("count by (user) ({__name__=~\"claude_.+\", user!=\"\"})")
        .path("result")
        .forEach(r -> users.add(r.path("metric").path("user").asText()));
    assertThat(users).as("user label values").containsExactlyInAnyOrderElementsOf(USERS);
  }

  @Test
  void hookIngestAndClaudeCodeShouldLabelTheSameUsersWithTheSameTeams() {
    eventually(
        () -> {
          for (String metric :
              List.of(
                  "claude_prompts_total",
                  "claude_hook_events_total",
                  "claude_tool_calls_total",
                  "claude_code_cost_usage_USD_total",
                  "claude_code_token_usage_tokens_total")) {
            Map<String, String> teams = new java.util.TreeMap<>();
            prometheus
                .query("count by (user, team) (" + metric + ")")
                .path("result")
                .forEach(
                    r ->
                        teams.put(
                            r.path("metric").path("user").asText(),
                            r.path("metric").path("team").asText()));
            assertThat(teams).as(metric).containsExactlyInAnyOrderEntriesOf(release.teams());
          }
        });
  }

  @Test
  void theRenderedBudgetsShouldBeSeriesTheBudgetAlertsJoinOn() {
    eventually(
        () -> {
          assertThat(
                  prometheus
                      .query("user:claude_code_budget_usd:monthly{user=\"alice\"}")
                      .path("result")
                      .path(0)
                      .path("value")
                      .path(1)
                      .asDouble())
              .isEqualTo(300);
          // The joins the alerts make match: every budgeted team has a spend rate beside it.
          List<String> joined = new ArrayList<>();
          prometheus
              .query(
                  "team:claude_code_cost_usd_per_hour:rate1h / on (team)"
                      + " team:claude_code_budget_usd:monthly")
              .path("result")
              .forEach(r -> joined.add(r.path("metric").path("team").asText()));
          assertThat(joined).containsExactlyInAnyOrder("platform", "data-science");
        });
  }

  @Test
  void everyRuleExpressionShouldRunAndSelectExistingSeries() {
    eventually(this::assertRuleExpressionsRunAndSelectExistingSeries);
  }

  private void assertRuleExpressionsRunAndSelectExistingSeries() {
    List<String> problems = new ArrayList<>();
    for (Rule rule : AlertRules.all()) {
      JsonNode result = query(rule.expr(), rule.toString(), problems);
      if (result == null || !result.isEmpty()) {
        continue;
      }
      // Legitimately quiet (nothing is wrong right now): every series it watches must still exist.
      for (String selector : selectors(rule.expr())) {
        JsonNode series = query(selector, rule + " selector " + selector, problems);
        if (series != null && series.isEmpty()) {
          problems.addAll(watchedSeriesExist(rule, selector));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void prometheusShouldLoadAndEvaluateTheRuleFileWithoutErrors() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode groups = prometheus.api("/api/v1/rules").path("groups");
              List<String> loaded = new ArrayList<>();
              for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                  assertThat(rule.path("health").asText())
                      .as(rule.path("name") + ": " + rule.path("lastError"))
                      .isEqualTo("ok");
                  loaded.add(rule.path("name").asText());
                }
              }
              List<String> expected =
                  new ArrayList<>(AlertRules.all().stream().map(Rule::name).toList());
              expected.addAll(release.budgetRecords());
              assertThat(loaded).containsExactlyInAnyOrderElementsOf(expected);
            });
  }

  @Test
  void theAlertsForTheFailClosedWindowAndTheRefusedPolicyShouldBeActive() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              List<String> active = new ArrayList<>();
              for (JsonNode alert : prometheus.api("/api/v1/alerts").path("alerts")) {
                active.add(
                    alert.path("labels").path("alertname").asText()
                        + "/"
                        + alert.path("state").asText());
              }
              assertThat(active).anyMatch(a -> a.startsWith("ClaudeGuardUnavailable/"));
              assertThat(active).contains("ClaudePolicyReloadRefused/firing");
              assertThat(active).noneMatch(a -> a.startsWith("ClaudeGuardFailingOpen/"));
            });
  }

  @Test
  void theRecentDenialsTableShouldListTheWorkloadsDenialsFromPostgresql() throws Exception {
    Query table =
        Dashboards.allQueries().stream()
            .filter(Query::isSql)
            .filter(q -> q.text().contains("audit_denials"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no dashboard query reads audit_denials"));
    String sql =
        Dashboards.substitute(table.text(), Map.of("user", ".*"))
            .replace(
                "$__timeFilter(occurred_at)",
                "occurred_at BETWEEN now() - interval '1 hour' AND now() + interval '1 minute'");
    List<Denial> denials = workload.denials();
    assertThat(denials).hasSizeGreaterThanOrEqualTo(5);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String rows = asGrafana(sql);
              for (Denial denial : denials) {
                assertThat(rows)
                    .as("audit_denials as Grafana reads it")
                    .contains(denial.sessionId());
              }
              assertThat(rows).contains("rm -rf /etc").contains("alice").contains("bob");
            });
    // The link on each row, as Grafana builds it, opens that session in the real viewer.
    Denial first = denials.get(0);
    String link =
        denialLinkTemplate()
            .replace("${viewer_url}", transcriptService.baseUrl())
            .replace("${__data.fields.session_id}", first.sessionId());
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(link))
                    .header("Authorization", "Bearer " + READ_TOKEN)
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                BodyHandlers.ofString());
    assertThat(page.statusCode()).as("GET %s", link).isEqualTo(200);
    assertThat(page.body()).contains(first.sessionId());
    String aliceOnly =
        asGrafana(
            Dashboards.substitute(table.text(), Map.of("user", "alice"))
                .replace("$__timeFilter(occurred_at)", "true"));
    assertThat(aliceOnly).contains("alice").doesNotContain("|bob|");
  }

  @Test
  void theDryRunPanelShouldShowWhatTheTrialRuleWouldHaveDeniedOnEveryListing() {
    Query panel =
        Dashboards.allQueries().stream()
            .filter(q -> q.panel().equals("Would have denied/asked (dry-run rules)"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the guard dashboard has no dry-run panel"));
    // Every recorded `ls -la` the workload ran got the shipped policy's answer (Workload checks
    // it), and the rule in dry run would have denied each one.
    int listings = workload.dryRunListings();
    assertThat(listings).isPositive();
    eventually(
        () -> {
          JsonNode result =
              prometheus
                  .query(Dashboards.substitute(panel.text(), Map.of("user", ".*")))
                  .path("result");
          assertThat(result).hasSize(1);
          assertThat(result.path(0).path("metric").path("rule").asText())
              .isEqualTo("list-hidden-files");
          assertThat(result.path(0).path("metric").path("verdict").asText()).isEqualTo("deny");
          assertThat(result.path(0).path("value").path(1).asDouble()).isGreaterThan(0);
          assertThat(
                  value(
                      "sum(claude_hook_guard_dryrun_matches_total{rule=\"list-hidden-files\","
                          + " verdict=\"deny\"})"))
              .isEqualTo(listings);
          // policy-service also judged any call hook-ingest had stopped waiting for.
          double judged =
              value(
                  "sum(claude_policy_decisions_total{enforcement=\"dryrun\","
                      + " rule=\"list-hidden-files\", decision=\"deny\"})");
          assertThat(judged).isGreaterThanOrEqualTo(listings);
          assertThat(value("sum(claude_policy_decisions_total{rule=\"list-hidden-files\"})"))
              .as("never counted as a decision of its own")
              .isEqualTo(judged);
        });
    // The audit trail holds each of them with its call, whose recorded verdict stays none.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        postgres
                            .psql(
                                PostgresServer.DATABASE,
                                "SELECT count(*), string_agg(DISTINCT verdict, ',') FROM"
                                    + " hook_events WHERE dryrun @>"
                                    + " '[{\"ruleId\": \"list-hidden-files\", \"verdict\": \"deny\"}]'")
                            .strip())
                    .isEqualTo(listings + "|none"));
  }

  private double value(String promql) {
    return prometheus.query(promql).path("result").path(0).path("value").path(1).asDouble();
  }

  /**
   * A failed scrape (a busy machine can miss the 1 s timeout) marks gauges stale for a moment; a
   * query that is right must be right again on the next scrapes, so retry for a while and report
   * the last miss.
   */
  private static void eventually(Runnable assertion) {
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofSeconds(3))
        .untilAsserted(assertion::run);
  }

  private static String denialLinkTemplate() {
    for (Dashboards.Dashboard dashboard : Dashboards.all()) {
      for (JsonNode panel : dashboard.dataPanels()) {
        for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
          for (JsonNode property : override.path("properties")) {
            if ("links".equals(property.path("id").asText())
                && property.path("value").path(0).has("url")) {
              String url = property.path("value").path(0).path("url").asText();
              if (url.contains("/sessions/")) {
                return url;
              }
            }
          }
        }
      }
    }
    throw new AssertionError("no dashboard links a row to the transcript viewer");
  }

  private void assertDashboardQueriesReturnData(Map<String, String> variables) {
    List<String> problems = new ArrayList<>();
    Map<String, Boolean> panelHasAValue = new HashMap<>();
    for (Query query : Dashboards.allQueries()) {
      if (!query.isPromQl()) {
        continue;
      }
      String panel = query.dashboard() + " / " + query.panel();
      panelHasAValue.putIfAbsent(panel, false);
      JsonNode result =
          query(Dashboards.substitute(query.text(), variables), query.toString(), problems);
      if (result == null) {
        continue;
      }
      if (result.isEmpty()) {
        problems.add(query + ": no data for " + Dashboards.substitute(query.text(), variables));
      }
      for (JsonNode sample : result) {
        String value = sample.path("value").path(1).asText();
        if (!value.equals("NaN") && !value.contains("Inf")) {
          panelHasAValue.put(panel, true);
        }
      }
    }
    panelHasAValue.forEach(
        (panel, hasValue) -> {
          if (!hasValue) {
            problems.add(panel + ": only NaN/Inf values");
          }
        });
    assertThat(problems).as("with %s", variables).isEmpty();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private JsonNode query(String promql, String what, List<String> problems) {
    try {
      return prometheus.query(promql).path("result");
    } catch (RuntimeException e) {
      problems.add(what + ": Prometheus refused " + promql + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * For a selector whose label values nothing has produced yet ({@code source="fail-open"} in a
   * healthy run): the metric must exist and carry every label the selector matches on, so a renamed
   * label or metric cannot hide behind "quiet".
   */
  private List<String> watchedSeriesExist(Rule rule, String selector) {
    List<String> problems = new ArrayList<>();
    String metric =
        selector.contains("{") ? selector.substring(0, selector.indexOf('{')) : selector;
    JsonNode series = query(metric, rule + " metric " + metric, problems);
    if (series == null) {
      return problems;
    }
    if (series.isEmpty()) {
      Rule recording =
          AlertRules.all().stream()
              .filter(r -> !r.alert() && r.name().equals(metric))
              .findFirst()
              .orElse(null);
      if (recording != null && recording.expr().contains(":1h]")) {
        // The spend recordings sample an hourly series once an hour, on the hour: a run shorter
        // than that has no point to add yet. What they read must exist.
        for (String inner : selectors(recording.expr())) {
          problems.addAll(watchedSeriesExist(recording, inner));
        }
        return problems;
      }
      problems.add(rule + ": " + metric + " has no series at all; the rule watches nothing");
      return problems;
    }
    Matcher labels =
        Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)")
            .matcher(selector.substring(metric.length()));
    while (labels.find()) {
      String label = labels.group(1);
      boolean present = false;
      for (JsonNode sample : series) {
        present |= sample.path("metric").has(label);
      }
      if (!present) {
        problems.add(
            rule
                + ": no "
                + metric
                + " series has the label "
                + label
                + " that "
                + selector
                + " matches on");
      }
    }
    return problems;
  }

  static List<String> selectors(String expr) {
    List<String> selectors = new ArrayList<>();
    Matcher matcher = SELECTOR.matcher(expr);
    while (matcher.find()) {
      selectors.add(matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2)));
    }
    return selectors;
  }

  /**
   * Runs SQL as the read-only role Grafana's PostgreSQL datasource uses; rows as psql's unaligned
   * text.
   */
  private String asGrafana(String sql) {
    Commands.Result result =
        Commands.run(
            work,
            List.of(
                psql(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(postgres.port()),
                "-U",
                GRAFANA_ROLE,
                "-d",
                PostgresServer.DATABASE,
                "-v",
                "ON_ERROR_STOP=1",
                "-tA",
                "-c",
                sql));
    assertThat(result.exitCode()).as("psql: %s", result.output()).isZero();
    return result.output();
  }

  private static String psql() {
    for (String candidate : List.of("/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "psql";
  }

  /** SIGSTOP policy-service (a process this test started), run {@code action}, SIGCONT it. */
  private void freezePolicyServiceWhile(Runnable action) {
    String pid = Long.toString(policyService.process().pid());
    assertThat(Commands.run(work, List.of("kill", "-STOP", pid)).exitCode()).isZero();
    try {
      action.run();
    } finally {
      assertThat(Commands.run(work, List.of("kill", "-CONT", pid)).exitCode()).isZero();
    }
  }

  private Path budgetRules() {
    return work.resolve("budgets.rules.yaml");
  }

  private String prometheusConfig() throws IOException {
    StringBuilder config =
        new StringBuilder(
            """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
          - %s
        scrape_configs:
        """
                .formatted(AlertRules.file(), budgetRules()));
    // As the chart's ServiceMonitors: the Quarkus services' /q/metrics is on the management port.
    Map<String, String> jobs =
        Map.of(
            "hook-ingest", hookIngest.managementBaseUrl(),
            "policy-service", policyService.managementBaseUrl(),
            "transcript-service", transcriptService.managementBaseUrl());
    jobs.forEach(
        (job, url) ->
            config.append(
                """
          - job_name: %s
            metrics_path: /q/metrics
            static_configs:
              - targets: ['%s']
        """
                    .formatted(job, url.replace("http://", ""))));
    // As the chart's ServiceMonitor for the collector: honorLabels, so the exporter's own labels
    // win.
    config.append(
        """
          - job_name: otel-collector
            metrics_path: /metrics
            honor_labels: true
            static_configs:
              - targets: ['%s']
        """
            .formatted(collector.target()));
    Files.writeString(work.resolve("prometheus.yml.txt"), config);
    return config.toString();
  }
}
