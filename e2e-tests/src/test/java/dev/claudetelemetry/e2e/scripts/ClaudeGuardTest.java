package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * claude-guard (the hook client built by hook-client) against answers hook-ingest gives, and
 * against the ones it must not trust.
 */
class ClaudeGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INPUT = PodScript.fixture("PreToolUse-Bash.json");
  private static final String DENY =
      """
      {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
       "permissionDecisionReason":"Blocked by rule env-file-read: reads .env"},
       "policy":{"verdict":"deny","ruleId":"env-file-read","mode":"enforce"}}""";

  @Test
  void shouldForwardTheInputWithTokenAndUserAndPrintOnlyTheHookSpecificOutput() throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup(ingest.url()));

      assertThat(outcome.exitCode()).isZero();
      assertThat(JSON.readTree(outcome.stdout()))
          .isEqualTo(
              JSON.readTree(
                  """
          {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
           "permissionDecisionReason":"Blocked by rule env-file-read: reads .env"}}"""));
      StubServer.Request request = ingest.requests.get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.pathAndQuery()).isEqualTo("/v1/hooks");
      assertThat(request.header("Authorization")).isEqualTo("Bearer pod-token-1");
      assertThat(request.header("X-Claude-Telemetry-User")).isEqualTo("alice");
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.bodyText()).isEqualTo(INPUT);
    }
  }

  @Test
  void shouldPassAnAllowThrough() throws Exception {
    String allow =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, allow))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup(ingest.url()));
      assertThat(JSON.readTree(outcome.stdout())).isEqualTo(JSON.readTree(allow));
    }
  }

  static Stream<String> wellFormedDecisions() {
    return Stream.of(
        // hook-ingest's canonical shape (the shell's fast path), with escapes and non-ASCII in the
        // reason
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\","
            + "\"permissionDecisionReason\":\"Blocked: \\\"rm -rf /\\\" \\\\ \\u00e9 \\n — Instead: ask\"}}",
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"ask\"}}",
        // the same meaning in another layout (jq's path)
        "{ \"hookSpecificOutput\": {\n  \"permissionDecision\": \"allow\", \"hookEventName\": \"PreToolUse\" } }");
  }

  @ParameterizedTest
  @MethodSource("wellFormedDecisions")
  void shouldPassEveryWellFormedDecisionOnWithItsMeaning(String answer) throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, answer))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup(ingest.url()));
      assertThat(JSON.readTree(outcome.stdout())).isEqualTo(JSON.readTree(answer));
    }
  }

  static Stream<Arguments> answersThatAreNoDecision() {
    return Stream.of(
        Arguments.of(500, DENY, "hook-ingest answered HTTP 500"),
        Arguments.of(503, "", "hook-ingest answered HTTP 503"),
        Arguments.of(401, "{}", "refused this pod's token (HTTP 401)"),
        Arguments.of(200, "not json at all", "not a valid decision"),
        Arguments.of(200, "{\"policy\":{}}", "not a valid decision"),
        Arguments.of(200, "{}{}", "not a valid decision"),
        Arguments.of(200, "{\"policy\":{\"verdict\":\"none\"}}", "not a valid decision"),
        Arguments.of(200, "", "not a valid decision"),
        Arguments.of(200, "[]", "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PostToolUse\"}}",
            "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"maybe\"}}",
            "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
                + "\"permissionDecisionReason\":42}}",
            "not a valid decision"),
        // canonical-looking but not JSON: Claude Code would ignore it and fail open
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
                + "\"permissionDecisionReason\":\"a \"quote\"}}",
            "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
                + "\"permissionDecisionReason\":\"tab\there\"}}",
            "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
                + "\"permissionDecisionReason\":\"bad \\x escape\"}}",
            "not a valid decision"),
        Arguments.of(
            200,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}",
            "not a valid decision"));
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("answersThatAreNoDecision")
  void shouldDenyWithTheReasonWhenTheAnswerIsNoValidDecision(int status, String body, String reason)
      throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(status, body))) {
      assertFailClosed(PodScript.run("claude-guard", INPUT, setup(ingest.url())), reason);
    }
  }

  @Test
  void shouldDenyWhenHookIngestRefusesTheConnection() throws Exception {
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, setup("http://127.0.0.1:" + FreePorts.next())),
        "hook-ingest could not be reached");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, setup("http://no-such-host.invalid:8080")),
        "hook-ingest could not be reached");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, setup("https://hook-ingest:8443")),
        "is not an http:// URL");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, setup("http://hook-ingest:80a")),
        "is not an http:// URL");
  }

  /**
   * The stub holds its answer until the guard has exited: the guard can only have ended by its own
   * timeout, which its reason names.
   */
  @Test
  void shouldDenyByItsTimeoutWhenHookIngestHangs() throws Exception {
    CountDownLatch guardExited = new CountDownLatch(1);
    try (StubServer ingest =
        new StubServer(
            r -> {
              guardExited.await();
              return new StubServer.Response(200, DENY);
            })) {
      PodScript.Outcome outcome =
          PodScript.run(
              "claude-guard",
              INPUT,
              setup(ingest.url()).managed("CLAUDE_GUARD_TIMEOUT_SECONDS", "0.5"));
      guardExited.countDown();
      assertFailClosed(outcome, "hook-ingest did not answer within 0.5 s");
      assertThat(ingest.requests).hasSize(1);
    }
  }

  /**
   * Packets to hook-ingest dropped (say, a NetworkPolicy that forgot it): a listener whose accept
   * queue is full drops further connection requests, so the guard's connect waits, and its own
   * timeout ends it.
   */
  @Test
  void shouldDenyByItsTimeoutWhenNoConnectionIsAccepted() throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 300);
          } catch (java.net.SocketTimeoutException queueFull) {
            s.close();
            break;
          }
          queued.add(s);
        }
        PodScript.Outcome outcome =
            PodScript.run(
                "claude-guard",
                INPUT,
                setup("http://127.0.0.1:" + full.getLocalPort())
                    .managed("CLAUDE_GUARD_TIMEOUT_SECONDS", "1"));
        assertFailClosed(outcome, "hook-ingest did not accept a connection within 1 s");
      } finally {
        for (Socket s : queued) {
          s.close();
        }
      }
    }
  }

  @Test
  void shouldDenyWhenTheManagedSettingsLackUrlOrToken() throws Exception {
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, setup("x").withoutManaged("HOOK_INGEST_URL")),
        "HOOK_INGEST_URL is not set");
    assertFailClosed(
        PodScript.run(
            "claude-guard",
            INPUT,
            setup("http://127.0.0.1:1").withoutManaged("CLAUDE_TELEMETRY_TOKEN")),
        "no valid CLAUDE_TELEMETRY_TOKEN");
    assertFailClosed(
        PodScript.run(
            "claude-guard",
            INPUT,
            setup("http://127.0.0.1:1")
                .managed("CLAUDE_TELEMETRY_TOKEN", "a\"\nheader = \"X-Evil: 1")),
        "no valid CLAUDE_TELEMETRY_TOKEN");
  }

  /**
   * The configuration is the managed files' and only theirs: the same keys in the process
   * environment (where the agent's settings put theirs) change nothing, even with the managed ones
   * missing.
   */
  @Test
  void shouldTakeNothingFromItsEnvironment() throws Exception {
    String allow =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    try (StubServer agents = new StubServer(r -> new StubServer.Response(200, allow))) {
      PodScript.Setup setup =
          setup("x")
              .withoutManaged("HOOK_INGEST_URL")
              .process("HOOK_INGEST_URL", agents.url())
              .process("CLAUDE_TELEMETRY_TOKEN", "pod-token-1")
              .process("CLAUDE_GUARD_FAIL_OPEN", "1");
      assertFailClosed(PodScript.run("claude-guard", INPUT, setup), "HOOK_INGEST_URL is not set");
      assertThat(agents.requests).isEmpty();
    }
  }

  /**
   * Claude Code's merge order: managed-settings.json, then managed-settings.d/*.json by name, the
   * later file winning; hidden entries (a mounted Secret's ..data) and files that are not valid
   * JSON are skipped.
   */
  @Test
  void shouldReadTheDropInsInNameOrderLaterWinning() throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      PodScript.Setup setup =
          setup("http://127.0.0.1:1")
              .withoutManaged("CLAUDE_TELEMETRY_USER")
              .dropIn("10-url.json", "{\"env\":{\"HOOK_INGEST_URL\":\"" + ingest.url() + "\"}}")
              .dropIn("50-identity.json", "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"bob\"}}")
              .dropIn("60-identity.json", "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"carol\"}}")
              .dropIn("70-broken.json", "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"mallory\"}")
              .dropIn(".hidden.json", "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"eve\"}}")
              .dropIn("80-notes.txt", "{\"env\":{\"CLAUDE_TELEMETRY_USER\":\"trudy\"}}");
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup);
      assertThat(
              JSON.readTree(outcome.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(ingest.requests)
          .singleElement()
          .satisfies(r -> assertThat(r.header("X-Claude-Telemetry-User")).isEqualTo("carol"));
    }
  }

  @Test
  void shouldGiveNoDecisionInsteadOfDenyingWhenFailOpenIsConfigured() {
    PodScript.Outcome outcome =
        PodScript.run(
            "claude-guard",
            INPUT,
            setup("http://127.0.0.1:" + FreePorts.next()).managed("CLAUDE_GUARD_FAIL_OPEN", "1"));
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.stdout()).isEmpty();
    assertThat(outcome.stderr()).contains("failing open");
  }

  /** hook-ingest's {} (HTTP 200): no policy rule decided; the guard gives no decision either. */
  @Test
  void shouldGiveNoDecisionWhenHookIngestAnswersAnEmptyObject() {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, "{}"))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup(ingest.url()));
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout()).isEmpty();
      assertThat(outcome.stderr()).isEmpty();
    }
  }

  @Test
  void shouldIgnoreProxiesAndHomeThatTheAgentCouldSet(@TempDir Path dir) throws Exception {
    String allow =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY));
        StubServer agentsProxy = new StubServer(r -> new StubServer.Response(200, allow))) {
      Files.writeString(dir.resolve(".curlrc"), "proxy = \"" + agentsProxy.url() + "\"\n");
      PodScript.Setup setup =
          setup(ingest.url())
              .process("PATH", dir + ":/usr/bin:/bin")
              .process("HOME", dir.toString())
              .process("http_proxy", agentsProxy.url())
              .process("HTTP_PROXY", agentsProxy.url())
              .process("ALL_PROXY", agentsProxy.url());

      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, setup);

      assertThat(
              JSON.readTree(outcome.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(agentsProxy.requests).isEmpty();
      assertThat(ingest.requests).hasSize(1);
    }
  }

  /**
   * Claude Code (Node) gives a hook its stdin as a socket, not a pipe. Python hands the guard one
   * end of a socketpair here. The input holds multi-byte characters: Content-Length must count
   * bytes, or hook-ingest gets a cut-off body.
   */
  @Test
  void shouldReadItsInputFromASocketAsClaudeCodeGivesIt() throws Exception {
    String input = INPUT.replace("List files", "List files — ünïcödé ☃ 日本語");
    assertThat(input).isNotEqualTo(INPUT);
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      String harness =
          String.join(
              "\n",
              "import os, socket, subprocess, sys",
              "ours, theirs = socket.socketpair()",
              "guard = subprocess.Popen([sys.argv[1]], stdin=theirs, stdout=subprocess.PIPE)",
              "theirs.close()",
              "ours.sendall(sys.stdin.buffer.read())",
              "ours.shutdown(socket.SHUT_WR)",
              "sys.stdout.buffer.write(guard.communicate()[0])");
      ProcessBuilder builder =
          new ProcessBuilder(
              PodScript.commandWith(
                  setup(ingest.url()).process("PATH", "/usr/bin:/bin"),
                  List.of("python3", "-c", harness, PodScript.path("claude-guard").toString())));
      Process python = builder.start();
      try (var stdin = python.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(python.waitFor()).isZero();

      assertThat(JSON.readTree(output).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(ingest.requests)
          .singleElement()
          .satisfies(r -> assertThat(r.bodyText()).isEqualTo(input));
    }
  }

  private static void assertFailClosed(PodScript.Outcome outcome, String reason) throws Exception {
    assertThat(outcome.exitCode()).isZero();
    JsonNode output = JSON.readTree(outcome.stdout()).path("hookSpecificOutput");
    assertThat(output.path("hookEventName").asText()).isEqualTo("PreToolUse");
    assertThat(output.path("permissionDecision").asText()).isEqualTo("deny");
    assertThat(output.path("permissionDecisionReason").asText())
        .startsWith("Blocked by the claude-telemetry guard: ")
        .contains(reason)
        .contains("platform team");
  }

  static PodScript.Setup setup(String ingestUrl) {
    return new PodScript.Setup()
        .managed("HOOK_INGEST_URL", ingestUrl)
        .managed("CLAUDE_TELEMETRY_TOKEN", "pod-token-1")
        .managed("CLAUDE_TELEMETRY_USER", "alice");
  }
}
