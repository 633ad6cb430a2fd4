package dev.claudetelemetry.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.e2e.fakeapi.RecordedRequest;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.testsupport.FreePorts;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "run the platform" command, end to end: {@code local/run --no-build} starts the
 * three services, a throwaway PostgreSQL and Prometheus on loopback; the real Claude Code CLI runs
 * one session with the settings it wrote (http hooks to 127.0.0.1) against the fake Messages API;
 * SIGINT then stops everything it started.
 */
class LocalRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String USER = "local-e2e";
  private static final String SCENARIO = "local-mode";
  private static final String ALLOWED = "echo allowed-by-the-guard > allowed.txt";
  private static final String DENIED = "rm -rf ~";
  // Inside the module's target/ (not a 0700 temp dir), so the postgres OS user can reach the
  // database files.
  private static final Path RUN_DIR = Path.of("target/local-run").toAbsolutePath();

  @TempDir Path tmp;
  private Process localRun;
  private FakeMessagesApi api;

  /**
   * After a failed assertion: let local/run stop what it started (SIGTERM), and only then force
   * what is left.
   */
  @AfterEach
  void stopWhatIsLeft() throws Exception {
    if (api != null) {
      api.close();
    }
    if (localRun == null || !localRun.isAlive()) {
      return;
    }
    Map<String, Long> pids = startedPids(RUN_DIR);
    new ProcessBuilder("kill", "-TERM", Long.toString(localRun.pid()))
        .start()
        .waitFor(10, TimeUnit.SECONDS);
    if (!localRun.waitFor(90, TimeUnit.SECONDS)) {
      localRun.descendants().forEach(ProcessHandle::destroyForcibly);
      localRun.destroyForcibly();
      pids.values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void shouldGuardAndRecordARealSessionAndLeaveNothingRunningAfterCtrlC() throws Exception {
    List.of("policy-service", "hook-ingest", "transcript-service").forEach(ServiceJar::jar);
    Path repo = RepoPaths.root();
    Path output = tmp.resolve("local-run.out");
    Map<String, Integer> ports =
        Map.of(
            "LOCAL_POLICY_SERVICE_PORT", FreePorts.next(),
            "LOCAL_HOOK_INGEST_PORT", FreePorts.next(),
            "LOCAL_TRANSCRIPT_SERVICE_PORT", FreePorts.next(),
            "LOCAL_POLICY_SERVICE_MANAGEMENT_PORT", FreePorts.next(),
            "LOCAL_HOOK_INGEST_MANAGEMENT_PORT", FreePorts.next(),
            "LOCAL_TRANSCRIPT_SERVICE_MANAGEMENT_PORT", FreePorts.next(),
            "LOCAL_PROMETHEUS_PORT", FreePorts.next(),
            "LOCAL_POSTGRES_PORT", FreePorts.next());

    ProcessBuilder builder =
        new ProcessBuilder(
                repo.resolve("local/run").toString(), "--no-build", "--run-dir", RUN_DIR.toString())
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("CLAUDE_TELEMETRY_USER", USER);
    builder.environment().remove("DATABASE_URL");
    builder.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
    ports.forEach((name, port) -> builder.environment().put(name, port.toString()));
    localRun = builder.start();
    awaitReadyLine(output);

    Properties endpoints = new Properties();
    try (var in = Files.newInputStream(RUN_DIR.resolve("endpoints.env"))) {
      endpoints.load(in);
    }
    String ingest = endpoints.getProperty("HOOK_INGEST_URL");
    String ingestManagement = endpoints.getProperty("HOOK_INGEST_MANAGEMENT_URL");
    assertThat(ingestManagement)
        .isEqualTo("http://127.0.0.1:" + ports.get("LOCAL_HOOK_INGEST_MANAGEMENT_PORT"));
    String transcripts = endpoints.getProperty("TRANSCRIPT_SERVICE_URL");
    String prometheus = endpoints.getProperty("PROMETHEUS_URL");
    assertThat(ingest).isEqualTo("http://127.0.0.1:" + ports.get("LOCAL_HOOK_INGEST_PORT"));
    assertThat(prometheus)
        .as("Prometheus is installed here (./test installs it)")
        .isEqualTo("http://127.0.0.1:" + ports.get("LOCAL_PROMETHEUS_PORT"));
    String readToken = Files.readString(RUN_DIR.resolve("tokens/read-token")).strip();
    for (String secret :
        List.of(
            "tokens/read-token",
            "tokens/service-token",
            "user-tokens/" + USER,
            "claude-settings.json")) {
      assertThat(Files.getPosixFilePermissions(RUN_DIR.resolve(secret)))
          .as(secret)
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(Files.getPosixFilePermissions(RUN_DIR.resolve("user-tokens")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (var userTokens = Files.list(RUN_DIR.resolve("user-tokens"))) {
      assertThat(userTokens.map(p -> p.getFileName().toString())).containsExactly(USER);
    }
    // The settings carry the user's own token for the hooks, not the service token.
    String userToken = Files.readString(RUN_DIR.resolve("user-tokens/" + USER)).strip();
    JsonNode settingsEnv =
        JSON.readTree(RUN_DIR.resolve("claude-settings.json").toFile()).path("env");
    assertThat(settingsEnv.path("CLAUDE_TELEMETRY_TOKEN").asText()).isEqualTo(userToken);
    Map<String, Long> pids = startedPids(RUN_DIR);
    assertThat(pids)
        .containsKeys(
            "policy-service", "hook-ingest", "transcript-service", "prometheus", "postgres");

    // One real session: an allowed Bash call, then one the guard must deny.
    api = FakeMessagesApi.start();
    api.script(SCENARIO, List.of(Turn.bash(ALLOWED), Turn.bash(DENIED), Turn.finalText("done")));
    // Not below /tmp: the shipped policy treats /tmp as scratch, where deleting is allowed, and the
    // session's "rm -rf ~" must meet the guard's deny.
    Path home =
        Files.createTempDirectory(Path.of("target").toAbsolutePath(), "local-run-").resolve("home");
    Path workspace = home.resolve("workspace");
    Files.createDirectories(workspace);
    Path canary = Files.writeString(home.resolve("canary.txt"), "still here");
    ClaudeResult session =
        runClaude(
            home,
            workspace,
            api.baseUrl(),
            RUN_DIR.resolve("claude-settings.json"),
            FakeMessagesApi.tag(SCENARIO) + " write a file, then clean up the home directory");

    assertThat(session.exitCode()).as(session.describe()).isZero();
    assertThat(canary).as("the denied '%s' did not run", DENIED).hasContent("still here");
    assertThat(workspace.resolve("allowed.txt"))
        .content()
        .isEqualToIgnoringNewLines("allowed-by-the-guard");
    List<RecordedRequest.ToolResult> results = api.toolResults(SCENARIO);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).isError()).isFalse();
    assertThat(results.get(1).isError()).isTrue();
    assertThat(results.get(1).content())
        .as("the model got the guard's reason")
        .contains("PreToolUse");
    assertThat(session.deniedToolUseIds()).containsExactly(results.get(1).toolUseId());
    String sessionId = session.sessionId();

    // hook-ingest counted what the session did, under the user the settings carry.
    MetricsSnapshot metrics = MetricsSnapshot.parse(scrape(ingestManagement + "/q/metrics"));
    assertThat(
            metrics.sum(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "succeeded", "user", USER))
        .isEqualTo(1.0);
    assertThat(
            metrics.sum(
                "claude_tool_calls_total", "tool", "Bash", "outcome", "denied", "user", USER))
        .isEqualTo(1.0);
    assertThat(metrics.sum("claude_hook_events_total", "event", "PreToolUse", "user", USER))
        .isEqualTo(2.0);
    assertThat(metrics.sum("claude_hook_events_total", "event", "SessionStart", "user", USER))
        .as("SessionStart arrives through the claude-hook command")
        .isEqualTo(1.0);
    assertThat(metrics.sum("claude_prompts_total", "user", USER)).isEqualTo(1.0);
    // hook-ingest spools, as in the chart, under the run directory.
    assertThat(metrics.sum("claude_hook_spool_written_events_total")).isPositive();
    assertThat(RUN_DIR.resolve("hook-ingest-spool")).isDirectory();

    // transcript-service has the session's transcript, uploaded by claude-transcript-sync.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              HttpResponse<String> transcript =
                  get(transcripts + "/v1/sessions/" + sessionId + "/transcript", readToken);
              assertThat(transcript.statusCode()).as(transcript.body()).isEqualTo(200);
              assertThat(transcript.body())
                  .contains(sessionId)
                  .contains(DENIED)
                  .contains("allowed-by-the-guard");
            });
    assertThat(
            get(transcripts + "/v1/sessions/" + sessionId + "/transcript", "wrong-token")
                .statusCode())
        .isEqualTo(401);
    // ...hook-ingest forwarded the events with the guard's decision, and Claude Code its telemetry.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              JsonNode detail =
                  JSON.readTree(get(transcripts + "/v1/sessions/" + sessionId, readToken).body());
              assertThat(detail.path("session").path("user").asText()).isEqualTo(USER);
              assertThat(detail.path("denials")).hasSize(1);
              JsonNode denial = detail.path("denials").path(0);
              assertThat(denial.path("toolUseId").asText()).isEqualTo(results.get(1).toolUseId());
              assertThat(denial.path("verdict").asText()).isEqualTo("deny");
              assertThat(denial.path("source").asText()).isEqualTo("policy");
              assertThat(denial.path("ruleId").asText()).isNotBlank();
              // Claude Code's OTLP events (api_request: tokens and cost) went straight to
              // transcript-service.
              assertThat(detail.path("session").path("costSource").asText()).isEqualTo("otlp");
              assertThat(detail.path("session").path("inputTokens").asLong())
                  .as("100 input tokens per scripted request, three requests")
                  .isGreaterThanOrEqualTo(300);
            });

    // Prometheus scrapes all three services.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              JsonNode up =
                  JSON.readTree(
                      get(
                              prometheus
                                  + "/api/v1/query?query="
                                  + URLEncoder.encode(
                                      "sum(up{job=~\"policy-service|hook-ingest|transcript-service\"})",
                                      StandardCharsets.UTF_8),
                              null)
                          .body());
              assertThat(up.path("data").path("result").path(0).path("value").path(1).asText())
                  .isEqualTo("3");
            });

    // Ctrl-C: everything it started is gone and every port is free again.
    new ProcessBuilder("kill", "-INT", Long.toString(localRun.pid()))
        .start()
        .waitFor(10, TimeUnit.SECONDS);
    assertThat(localRun.waitFor(90, TimeUnit.SECONDS))
        .as("local/run stops within 90 s after SIGINT")
        .isTrue();
    assertThat(localRun.exitValue()).isEqualTo(130);
    assertThat(Files.readString(output)).contains("local/run: stopped");
    pids.forEach(
        (name, pid) -> assertThat(isRunning(pid)).as("%s (pid %d) is gone", name, pid).isFalse());
    ports.forEach(
        (name, port) -> assertThat(isFree(port)).as("%s %d is free", name, port).isTrue());
  }

  /** Waits for local/run's ready line; fails with its output if it exits or takes too long. */
  private void awaitReadyLine(Path output) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    while (Instant.now().isBefore(deadline)) {
      String text = Files.exists(output) ? Files.readString(output) : "";
      if (text.contains("local/run: ready")) {
        return;
      }
      if (!localRun.isAlive()) {
        throw new AssertionError(
            "local/run exited with " + localRun.exitValue() + " before it was ready:\n" + text);
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "local/run was not ready within 4 minutes:\n" + Files.readString(output));
  }

  private static Map<String, Long> startedPids(Path runDir) throws IOException {
    Map<String, Long> pids = new HashMap<>();
    if (!Files.isDirectory(runDir.resolve("pids"))) {
      return pids;
    }
    try (Stream<Path> files = Files.list(runDir.resolve("pids"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        String name = file.getFileName().toString().replaceFirst("\\.pid$", "");
        pids.put(name, Long.parseLong(Files.readString(file).strip()));
      }
    }
    return pids;
  }

  /**
   * claude -p with the settings local/run wrote; a throwaway HOME, nothing of this JVM's
   * environment.
   */
  private static ClaudeResult runClaude(
      Path home, Path cwd, String apiBaseUrl, Path settings, String prompt)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(home.getParent(), "claude", ".out");
    Path err = Files.createTempFile(home.getParent(), "claude", ".err");
    ProcessBuilder builder =
        new ProcessBuilder(
                "claude",
                "-p",
                prompt,
                "--output-format",
                "json",
                "--allowedTools",
                "Bash",
                "Read",
                "Write",
                "Edit",
                "--settings",
                settings.toString())
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.clear();
    env.putAll(
        Map.of(
            "PATH",
            path,
            "HOME",
            home.toString(),
            "LANG",
            "C.UTF-8",
            "ANTHROPIC_BASE_URL",
            apiBaseUrl,
            "ANTHROPIC_API_KEY",
            "sk-ant-local-e2e-fake-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
            "1"));
    Instant started = Instant.now();
    Process claude = builder.start();
    claude.getOutputStream().close();
    if (!claude.waitFor(3, TimeUnit.MINUTES)) {
      claude.descendants().forEach(ProcessHandle::destroyForcibly);
      claude.destroyForcibly();
      throw new AssertionError("claude did not finish within 3 minutes:\n" + Files.readString(err));
    }
    return new ClaudeResult(
        claude.exitValue(),
        Files.readString(out),
        Files.readString(err),
        Duration.between(started, Instant.now()));
  }

  private static String scrape(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/plain; version=0.0.4")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static HttpResponse<String> get(String url, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Alive and not a zombie (an orphan that exited, such as the postmaster, waits for init to reap
   * it).
   */
  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
