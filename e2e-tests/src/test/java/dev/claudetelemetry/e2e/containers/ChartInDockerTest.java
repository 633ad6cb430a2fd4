package dev.claudetelemetry.e2e.containers;

import static dev.claudetelemetry.e2e.containers.Docker.docker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.e2e.pod.SocketRelay;
import dev.claudetelemetry.testsupport.ManagedProcess;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The rendered chart's pods in real containers, from the images k8s/build-images.sh built: every
 * Deployment and StatefulSet of a render with test values, started by {@link DockerKubelet} the way
 * the kubelet would, and a real {@code claude -p} session inside the claude-code container,
 * guarded, counted and recorded through Service names.
 *
 * <p>PostgreSQL and the OpenTelemetry Collector, whose images cannot be pulled here, are stood in
 * for in their pods' network namespaces: Debian's PostgreSQL, and {@link OtlpSink}, which takes
 * Claude Code's OTLP exports and logs what arrived. The images are named by {@code
 * -Dimages.registry} and {@code -Dimages.tag}; {@code ./test} builds them with {@code
 * k8s/build-images.sh --offline} and runs this class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartInDockerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "developer";
  private static final String CLAUDE_WORKLOAD = "claude-code-developer";
  private static final int API_PORT = 18443;
  private static final Duration DOCKER = Duration.ofSeconds(120);

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private ChartRender render;
  private DockerKubelet kubelet;
  private final Map<String, DockerKubelet.Pod> pods = new LinkedHashMap<>();
  private final Map<String, JsonNode> templates = new LinkedHashMap<>();
  private final List<String> ours = new ArrayList<>();
  private final Map<String, String> podOfWorkload = new LinkedHashMap<>();
  private FakeMessagesApi api;
  private ManagedProcess collector;

  @BeforeAll
  void startTheChart() throws Exception {
    String registry = System.getProperty("images.registry");
    String tag = System.getProperty("images.tag");
    if (registry == null || tag == null) {
      throw new IllegalStateException(
          "set -Dimages.registry and -Dimages.tag to images built by"
              + " REGISTRY=<registry> TAG=<tag> k8s/build-images.sh --offline");
    }
    for (String image :
        List.of("hook-ingest", "policy-service", "transcript-service", "claude-code")) {
      if (!Docker.hasImage(registry + "/" + image + ":" + tag)) {
        throw new IllegalStateException(
            registry
                + "/"
                + image
                + ":"
                + tag
                + " is not in the Docker daemon: run REGISTRY="
                + registry
                + " TAG="
                + tag
                + " k8s/build-images.sh --offline");
      }
    }
    Path work =
        RepoPaths.root()
            .resolve("e2e-tests/target/chart-in-docker")
            .resolve(Long.toString(System.currentTimeMillis()));
    Files.createDirectories(work);
    render =
        ChartRender.render(
            RepoPaths.root().resolve("e2e-tests/src/test/resources/containers/chart-values.yaml"),
            Map.of("global.imageRegistry", registry, "global.imageTag", tag));
    String prefix = "ct-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    kubelet = new DockerKubelet(render, prefix, registry + "/hook-ingest:" + tag, work);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopEverything));

    Map<String, List<String>> claims = new LinkedHashMap<>();
    for (String kind : List.of("Deployment", "StatefulSet")) {
      for (JsonNode workload : render.ofKind(kind)) {
        String name = workload.path("metadata").path("name").asText();
        assertThat(workload.path("spec").path("replicas").asInt(1))
            .as("%s %s: one replica (no kube-proxy balances here)", kind, name)
            .isEqualTo(1);
        String pod = kind.equals("StatefulSet") ? name + "-0" : name + "-pod";
        templates.put(pod, workload.path("spec").path("template"));
        podOfWorkload.put(name, pod);
        List<String> claimNames = new ArrayList<>();
        workload
            .path("spec")
            .path("volumeClaimTemplates")
            .forEach(c -> claimNames.add(c.path("metadata").path("name").asText()));
        claims.put(pod, claimNames);
        String image =
            workload
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("image")
                .asText();
        if (image.startsWith(registry + "/")) {
          ours.add(pod);
        }
      }
    }
    assertThat(ours)
        .extracting(this::workloadOf)
        .containsExactlyInAnyOrder(
            "hook-ingest", "policy-service", "transcript-service", "claude-code-developer");
    assertThat(podOfWorkload.keySet())
        .as("stood in for: PostgreSQL and the collector")
        .containsExactlyInAnyOrder(
            "hook-ingest",
            "policy-service",
            "transcript-service",
            "claude-code-developer",
            "postgresql",
            "otel-collector");

    kubelet.plan(toNames(templates));
    pods.putAll(kubelet.createNetworks(templates));
    startPostgresStandIn(pod("postgresql"));
    for (String pod : ours) {
      kubelet.start(pods.get(pod), templates.get(pod), claims.get(pod), Map.of());
    }
    for (String pod : ours) {
      kubelet.awaitProbes(pods.get(pod), templates.get(pod));
    }

    collector =
        javaInPod(
            pod("otel-collector"),
            "otel-collector-stand-in",
            work,
            OtlpSink.class.getName(),
            "4318");
    collector.awaitReady(() -> collector.logTail(5).contains("listening"), Duration.ofSeconds(30));

    api = FakeMessagesApi.start();
    cleanup.add(api);
    Path socket = work.resolve("anthropic-api.sock");
    cleanup.add(SocketRelay.fromUnixSocket(socket, api.port()));
    ManagedProcess relay =
        javaInPod(
            pod(CLAUDE_WORKLOAD),
            "anthropic-api-relay",
            work,
            SocketRelay.class.getName(),
            Integer.toString(API_PORT),
            socket.toString());
    relay.awaitReady(() -> relay.logTail(5).contains("relaying"), Duration.ofSeconds(30));
  }

  /** A main of these test classes in a small JVM (the host's) inside {@code pod}'s network. */
  private ManagedProcess javaInPod(
      DockerKubelet.Pod pod, String name, Path work, String main, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "nsenter",
                "-t",
                Long.toString(pod.holderPid()),
                "-n",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-cp",
                testClasses(),
                main));
    command.addAll(List.of(args));
    ManagedProcess process =
        ManagedProcess.start(name, command, Map.of(), work.resolve(name + ".log"));
    cleanup.add(process);
    return process;
  }

  private static Map<String, String> toNames(Map<String, JsonNode> templates) {
    Map<String, String> names = new LinkedHashMap<>();
    templates.keySet().forEach(p -> names.put(p, p));
    return names;
  }

  /**
   * Debian's PostgreSQL in the postgresql pod's network namespace, with the chart's database and
   * roles.
   */
  private void startPostgresStandIn(DockerKubelet.Pod pod) {
    Map<String, byte[]> secret = render.secret("claude-telemetry-postgresql");
    assertThat(new String(secret.get("username"))).isEqualTo(PostgresServer.USER);
    PostgresServer postgres =
        PostgresServer.start(
            "0.0.0.0", 5432, List.of("nsenter", "-t", Long.toString(pod.holderPid()), "-n"));
    cleanup.add(postgres);
    postgres.allowPasswordLogins("10.244.0.0/24");
    // What the chart's postgresql-init script does on first start (transcript-service's migration
    // grants this role SELECT).
    postgres.psql(
        "CREATE ROLE grafana_reader LOGIN PASSWORD '"
            + new String(secret.get("reader-password"))
            + "'");
    postgres.psql(
        "ALTER ROLE "
            + PostgresServer.USER
            + " PASSWORD '"
            + new String(secret.get("password"))
            + "'");
  }

  private static String testClasses() {
    try {
      return Path.of(SocketRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  void stopEverything() {
    if (kubelet != null) {
      kubelet.close();
    }
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      try {
        cleanup.get(i).close();
      } catch (Exception e) {
        // Best effort: the rest must still be stopped.
      }
    }
    cleanup.clear();
  }

  @Test
  @Order(1)
  void everyContainerRunsAsItsChartUidWithAReadOnlyRoot() {
    for (String pod : ours) {
      JsonNode spec = templates.get(pod).path("spec");
      String uid = spec.path("securityContext").path("runAsUser").asText();
      for (JsonNode container : spec.path("containers")) {
        String id = pods.get(pod).container(container.path("name").asText());
        assertThat(docker(DOCKER, "exec", id, "id", "-u").strip()).as("%s uid", pod).isEqualTo(uid);
        // The mount itself, not a write: the image's own files are root-owned, so a write as the
        // service user fails on a writable root too.
        assertThat(docker(DOCKER, "exec", id, "awk", "$2 == \"/\" { print $4 }", "/proc/mounts"))
            .as("%s: the root filesystem is mounted read-only", pod)
            .startsWith("ro,");
        assertThat(
                docker(
                        DOCKER,
                        "exec",
                        id,
                        "grep",
                        "-c",
                        "^CapEff:\t0000000000000000$",
                        "/proc/self/status")
                    .strip())
            .as("%s: no capabilities", pod)
            .isEqualTo("1");
      }
    }
  }

  @Test
  @Order(2)
  void policyServiceParsesBashWithATmpItCannotExecuteFrom() {
    String id = pod("policy-service").container("policy-service");
    assertThat(docker(DOCKER, "exec", id, "grep", " /tmp ", "/proc/mounts")).contains("noexec");
    // Ready means its policy's own examples were parsed and judged: tree-sitter's library is
    // loaded.
    String answer =
        kubelet
            .inNode(
                "curl",
                "-sf",
                "--max-time",
                "10",
                "-H",
                "Content-Type: application/json",
                "-d",
                "{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
                    + "\"cwd\":\"/home/claude-user/workspace\",\"tool_use_id\":\"t\","
                    + "\"tool_input\":{\"command\":\"cd /tmp && rm -rf /etc\"}}",
                "http://" + pod("policy-service").address() + ":8080/v1/decisions")
            .output();
    assertThat(answer).contains("\"permissionDecision\":\"deny\"");
  }

  @Test
  @Order(3)
  void theIdentityInitContainerWroteADropInTheAgentCannotChange() throws Exception {
    String id = pod(CLAUDE_WORKLOAD).container("claude-code");
    JsonNode dropIn =
        JSON.readTree(
            docker(
                DOCKER, "exec", id, "cat", "/etc/claude-code/managed-settings.d/50-identity.json"));
    assertThat(dropIn.path("env").path("CLAUDE_TELEMETRY_USER").asText()).isEqualTo(USER);
    assertThat(dropIn.path("env").path("CLAUDE_TELEMETRY_TOKEN").asText())
        .isEqualTo(render.secretValue("claude-telemetry-user-tokens", USER));
    for (String attack :
        List.of(
            "echo '{}' > /etc/claude-code/managed-settings.d/50-identity.json",
            "echo '{}' > /etc/claude-code/managed-settings.d/99-mine.json",
            "echo '{}' > /etc/claude-code/managed-settings.json",
            "echo 'exit 0' > /opt/claude-telemetry/bin/claude-guard")) {
      assertThat(Docker.run(List.of("docker", "exec", id, "sh", "-c", attack), DOCKER).ok())
          .as("the agent's user cannot: %s", attack)
          .isFalse();
    }
  }

  @Test
  @Order(4)
  void aRealClaudeSessionIsGuardedCountedAndRecordedThroughServiceNames() throws Exception {
    String id = pod(CLAUDE_WORKLOAD).container("claude-code");
    plantFileOutsideTheWorkspace(id);
    api.script(
        "docker-session",
        List.of(
            Turn.bash("echo hello > greeting.txt"),
            Turn.bash("rm -rf ../outside"),
            Turn.finalText("Done, the delete was refused.")));
    MetricsSnapshot before = metrics("hook-ingest");
    MetricsSnapshot policyBefore = metrics("policy-service");

    ClaudeResult result =
        claudePrint(id, "docker-session", "tidy up", "Bash", "Read", "Write", "Edit");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.deniedToolUseIds()).as(result.describe()).hasSize(1);

    // The denied delete stayed undone; the allowed write happened.
    assertThat(docker(DOCKER, "exec", id, "cat", "/home/claude-user/outside/keep.txt").strip())
        .isEqualTo("keep");
    assertThat(
            docker(DOCKER, "exec", id, "cat", "/home/claude-user/workspace/greeting.txt").strip())
        .isEqualTo("hello");

    // Claude Code's OTLP export reached the collector's Service name (its stand-in).
    DockerKubelet.await(
        () -> collector.logTail(200).contains("received /v1/"),
        Duration.ofSeconds(30),
        () -> "no OTLP export reached otel-collector:4318:\n" + collector.logTail(20));

    // Counted exactly, with the user from the drop-in (SessionEnd's hook is asynchronous).
    DockerKubelet.await(
        () -> metrics("hook-ingest").delta(before, "claude_sessions_ended_total") == 1,
        Duration.ofSeconds(30),
        () -> "SessionEnd never counted");
    MetricsSnapshot after = metrics("hook-ingest");
    assertThat(
            after.delta(
                before,
                "claude_tool_calls_total",
                "tool",
                "Bash",
                "outcome",
                "succeeded",
                "user",
                USER))
        .isEqualTo(1);
    assertThat(
            after.delta(
                before,
                "claude_tool_calls_total",
                "tool",
                "Bash",
                "outcome",
                "denied",
                "user",
                USER))
        .isEqualTo(1);
    assertThat(after.delta(before, "claude_tool_calls_total")).isEqualTo(2);
    assertThat(after.delta(before, "claude_sessions_started_total")).isEqualTo(1);
    assertThat(after.delta(before, "claude_prompts_total", "user", USER)).isEqualTo(1);
    MetricsSnapshot policyAfter = metrics("policy-service");
    assertThat(policyAfter.delta(policyBefore, "claude_policy_decisions_total", "decision", "deny"))
        .isEqualTo(1);
    // The write is a call no rule decides (the shipped policy has no allow rule): verdict none, and
    // Claude Code's own allowlist ran it.
    assertThat(policyAfter.delta(policyBefore, "claude_policy_decisions_total", "decision", "none"))
        .isEqualTo(1);

    assertTranscriptRecorded(
        id,
        "/home/claude-user/.claude/projects/-home-claude-user-workspace/"
            + result.sessionId()
            + ".jsonl");
  }

  /**
   * {@code kubectl exec -it <pod> -- claude} as a user meets it: {@code docker exec -it} under tmux
   * (the user's terminal). The platform's answers are pre-seeded by the image's start script; what
   * is left is the user's (approving the API key). A denied call shows the guard's reason, an
   * {@code ask} rule Claude Code's confirmation prompt, and "No" leaves the call undone.
   */
  @Test
  @Order(5)
  void anInteractiveSessionShowsTheGuardsReasonsAndAsksWhereThePolicyAsks() throws Exception {
    String id = pod(CLAUDE_WORKLOAD).container("claude-code");
    docker(
        DOCKER,
        "exec",
        "-w",
        "/home/claude-user/workspace",
        id,
        "sh",
        "-c",
        "mkdir -p repo && cd repo && git init -q && echo draft > untracked.txt");
    api.script(
        "interactive",
        List.of(
            Turn.bash("rm -rf ../outside"),
            Turn.bash("cd repo && git clean -fdx"),
            Turn.finalText("Left everything in place.")));
    MetricsSnapshot policyBefore = metrics("policy-service");
    MetricsSnapshot before = metrics("hook-ingest");
    Terminal terminal = new Terminal("ct-" + UUID.randomUUID().toString().substring(0, 6));
    cleanup.add(terminal);
    terminal.start("docker exec -it -w /home/claude-user/workspace " + id + " claude");

    // The first run in a fresh pod: no onboarding, theme or trust screens; the API key is the
    // user's to approve.
    String first = terminal.await("Do you want to use this API key?");
    assertThat(first).doesNotContain("trust").doesNotContain("Choose the text style");
    terminal.keys("Up");
    terminal.keys("Enter");
    terminal.await("auto mode");

    terminal.type(FakeMessagesApi.tag("interactive") + " tidy up");
    terminal.keys("Enter");
    String asked = terminal.await("Do you want to proceed?");
    assertThat(asked).contains("Blocked by policy rule rm-recursive-outside-workspace");
    assertThat(asked).contains("git clean -f deletes untracked files for good");
    terminal.keys("Down");
    terminal.keys("Enter");
    Files.writeString(
        RepoPaths.root().resolve("e2e-tests/target/chart-in-docker/interactive-ask.txt"), asked);
    // "No" ends the turn: Claude Code asks the user what to do instead; the model is not asked
    // again.
    Files.writeString(
        RepoPaths.root().resolve("e2e-tests/target/chart-in-docker/interactive-declined.txt"),
        terminal.await("What should Claude do instead?"));
    terminal.type("/exit");
    terminal.keys("Enter");
    terminal.awaitExit();

    assertThat(docker(DOCKER, "exec", id, "cat", "/home/claude-user/outside/keep.txt").strip())
        .isEqualTo("keep");
    assertThat(
            docker(DOCKER, "exec", id, "cat", "/home/claude-user/workspace/repo/untracked.txt")
                .strip())
        .isEqualTo("draft");
    DockerKubelet.await(
        () -> metrics("hook-ingest").delta(before, "claude_sessions_ended_total") == 1,
        Duration.ofSeconds(30),
        () -> "SessionEnd never counted");
    MetricsSnapshot after = metrics("hook-ingest");
    assertThat(after.delta(before, "claude_sessions_started_total")).isEqualTo(1);
    assertThat(after.delta(before, "claude_prompts_total", "user", USER)).isEqualTo(1);
    MetricsSnapshot policyAfter = metrics("policy-service");
    assertThat(policyAfter.delta(policyBefore, "claude_policy_decisions_total", "decision", "deny"))
        .isEqualTo(1);
    assertTranscriptRecorded(
        id,
        docker(
                DOCKER,
                "exec",
                id,
                "sh",
                "-c",
                "ls -t /home/claude-user/.claude/projects/-home-claude-user-workspace/*.jsonl | head -n 1")
            .strip());
    // Asked twice about the same call: at PreToolUse, and at the PermissionRequest Claude Code
    // sends when it shows the prompt (hook-ingest asks policy-service about both).
    assertThat(policyAfter.delta(policyBefore, "claude_policy_decisions_total", "decision", "ask"))
        .isEqualTo(2);
    assertThat(
            after.delta(
                before, "claude_hook_events_total", "event", "PermissionRequest", "user", USER))
        .isEqualTo(1);
  }

  /** transcript-service holds exactly the file Claude Code wrote: recorded complete. */
  /**
   * The agent, in a session of its own, starts a program that tries what a process of its user can
   * do to another of that user where the node does not forbid it (no Yama): attach with ptrace,
   * open {@code /proc/<pid>/mem}, read {@code /proc/<pid>/environ}, against Claude Code and every
   * hook process Claude Code starts for the session's next calls (stopped with SIGSTOP while it
   * tries, as an attacker would hold a process that lives for milliseconds). Both run from files
   * the agent's user may execute but not read, which the kernel makes non-dumpable: every attempt
   * is refused, while the same attempts against a process of its own started from a readable file
   * succeed (so ptrace itself is open to it here), and the calls stay guarded.
   */
  @Test
  @Order(6)
  void theAgentCannotTraceClaudeCodeOrTheHooksGuardingIt() throws Exception {
    String id = pod(CLAUDE_WORKLOAD).container("claude-code");
    String workspace = "/home/claude-user/workspace";
    String program =
        Files.readString(
            RepoPaths.root().resolve("e2e-tests/src/test/resources/containers/trace-attempts.pl"));
    api.script(
        "docker-trace",
        List.of(
            Turn.write(workspace + "/trace-attempts.pl", program),
            Turn.bash(
                "setsid -f perl trace-attempts.pl trace-report.txt 60 </dev/null >/dev/null 2>&1"),
            Turn.bash("true"),
            Turn.bash("true"),
            Turn.bash("true"),
            Turn.bash("rm -rf ../outside"),
            Turn.finalText("Tried.")));
    plantFileOutsideTheWorkspace(id);

    ClaudeResult result = claudePrint(id, "docker-trace", "look around", "Bash", "Write");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    DockerKubelet.await(
        () ->
            Docker.run(
                    List.of(
                        "docker",
                        "exec",
                        id,
                        "grep",
                        "-qx",
                        "done",
                        workspace + "/trace-report.txt"),
                    DOCKER)
                .ok(),
        Duration.ofSeconds(70),
        () -> "the agent's program never finished");
    List<String> report =
        docker(DOCKER, "exec", id, "cat", workspace + "/trace-report.txt").lines().toList();

    assertThat(report)
        .as("ptrace, mem and environ work for the agent's own readable process: %s", report)
        .anyMatch(line -> line.matches("control \\d+ attach=0 mem=0 environ=0"));
    assertThat(report)
        .as("Claude Code and hook processes were found: %s", report)
        .anySatisfy(line -> assertThat(line).startsWith("claude-code "))
        .anySatisfy(line -> assertThat(line).matches("claude-(guard|hook|transcript-sync) .*"));
    assertThat(report)
        .as("every attempt on them refused (EPERM, EACCES): %s", report)
        .filteredOn(line -> line.startsWith("claude-"))
        .allMatch(line -> line.matches("claude-[a-z-]+ \\d+ attach=1 mem=13 environ=13"));
    // The guard kept deciding: the delete was denied and the outside file is still there.
    assertThat(docker(DOCKER, "exec", id, "cat", "/home/claude-user/outside/keep.txt").strip())
        .isEqualTo("keep");
    assertThat(result.deniedToolUseIds()).as(result.describe()).hasSize(1);
  }

  /** A file next to the workspace, i.e. outside it: what a destructive delete must not reach. */
  private static void plantFileOutsideTheWorkspace(String container) {
    docker(
        DOCKER,
        "exec",
        container,
        "sh",
        "-c",
        "mkdir -p /home/claude-user/outside && echo keep > /home/claude-user/outside/keep.txt");
  }

  /**
   * {@code claude -p} in the container's workspace, as {@code kubectl exec <pod> -- claude -p} runs
   * it, following {@code scenario} of the fake Messages API.
   */
  private static ClaudeResult claudePrint(
      String container, String scenario, String prompt, String... allowedTools) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "docker",
                "exec",
                "-w",
                "/home/claude-user/workspace",
                container,
                "claude",
                "-p",
                FakeMessagesApi.tag(scenario) + " " + prompt,
                "--output-format",
                "json",
                "--allowedTools"));
    command.addAll(List.of(allowedTools));
    Instant started = Instant.now();
    Docker.Result run = Docker.run(command, Duration.ofSeconds(180));
    return new ClaudeResult(
        run.exitCode(),
        lastLine(run.output()),
        run.output(),
        Duration.between(started, Instant.now()));
  }

  private void assertTranscriptRecorded(String container, String transcriptPath) {
    String sessionId = Path.of(transcriptPath).getFileName().toString().replace(".jsonl", "");
    String written = docker(DOCKER, "exec", container, "cat", transcriptPath);
    assertThat(written.lines().count()).isGreaterThan(5);
    String url =
        "http://"
            + pod("transcript-service").address()
            + ":8080/v1/sessions/"
            + sessionId
            + "/transcript";
    String readToken = render.secretValue("claude-telemetry-tokens", "read-token");
    // The file is read again on every try: Claude Code may still append (its SessionEnd hook runs
    // asynchronously), and the whole file, as it ends up, is what must be stored.
    DockerKubelet.await(
        () ->
            docker(DOCKER, "exec", container, "cat", transcriptPath)
                .strip()
                .equals(
                    kubelet
                        .inNode(
                            "curl",
                            "-sf",
                            "--max-time",
                            "10",
                            "-H",
                            "Authorization: Bearer " + readToken,
                            url)
                        .output()
                        .strip()),
        Duration.ofSeconds(30),
        () ->
            "transcript-service does not hold the whole transcript of "
                + sessionId
                + " ("
                + docker(DOCKER, "exec", container, "wc", "-c", transcriptPath).strip()
                + ")");
  }

  /** The pod of a Deployment or StatefulSet of the render. */
  private DockerKubelet.Pod pod(String workload) {
    return pods.get(podOfWorkload.get(workload));
  }

  private String workloadOf(String pod) {
    return podOfWorkload.entrySet().stream()
        .filter(e -> e.getValue().equals(pod))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  private MetricsSnapshot metrics(String workload) {
    Docker.Result scrape =
        kubelet.inNode(
            "curl",
            "-sf",
            "--max-time",
            "10",
            "-H",
            "Accept: text/plain; version=0.0.4",
            "http://" + pod(workload).address() + ":9000/q/metrics");
    if (!scrape.ok()) {
      throw new IllegalStateException(workload + " /q/metrics: " + scrape.output());
    }
    return MetricsSnapshot.parse(scrape.output());
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().filter(l -> l.startsWith("{")).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
