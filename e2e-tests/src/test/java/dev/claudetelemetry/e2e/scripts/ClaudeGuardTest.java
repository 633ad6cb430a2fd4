package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.testsupport.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * k8s/claude-code/bin/claude-guard against answers hook-ingest gives, and against the ones it must
 * not trust.
 */
class ClaudeGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper STRICT_JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String INPUT = PodScript.fixture("PreToolUse-Bash.json");
  private static final String DENY =
      """
      {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
       "permissionDecisionReason":"Blocked by rule env-file-read: reads .env"},
       "policy":{"verdict":"deny","ruleId":"env-file-read","mode":"enforce"}}""";

  @Test
  void shouldForwardTheInputWithTokenAndUserAndPrintOnlyTheHookSpecificOutput() throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));

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
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));
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
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));
      assertThat(JSON.readTree(outcome.stdout())).isEqualTo(JSON.readTree(answer));
    }
  }

  /**
   * hook-ingest's "no decision" (no rule decided, audit mode, fail-open there): Claude Code's own
   * permission system must apply, so the guard passes no decision on, rather than deny or allow.
   */
  @ParameterizedTest
  @ValueSource(strings = {"{}", "{ }\n"})
  void shouldPassNoDecisionOnAsNoDecision(String answer) throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, answer))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout().strip()).isEqualTo("{}");
      assertThat(outcome.stderr()).isEmpty();
    }
  }

  static Stream<Arguments> answersThatAreNoDecision() {
    return Stream.of(
        Arguments.of(500, DENY, "hook-ingest answered HTTP 500"),
        Arguments.of(503, "", "hook-ingest answered HTTP 503"),
        Arguments.of(401, "{}", "refused this pod's token (HTTP 401)"),
        Arguments.of(200, "not json at all", "not a valid decision"),
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
      assertFailClosed(PodScript.run("claude-guard", INPUT, env(ingest.url())), reason);
    }
  }

  @Test
  void shouldDenyWhenHookIngestRefusesTheConnection() throws Exception {
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, env("http://127.0.0.1:" + FreePorts.next())),
        "hook-ingest could not be reached");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, env("http://no-such-host.invalid:8080")),
        "hook-ingest could not be reached");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, env("https://hook-ingest:8443")),
        "is not an http:// URL");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, env("http://hook-ingest:80a")),
        "is not an http:// URL");
  }

  @Test
  void shouldDenyWithinTheTimeoutWhenHookIngestHangs() throws Exception {
    try (StubServer ingest =
        new StubServer(
            r -> {
              Thread.sleep(4000);
              return new StubServer.Response(200, DENY);
            })) {
      Map<String, String> env = env(ingest.url());
      env.put("CLAUDE_GUARD_TIMEOUT_SECONDS", "1");
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env);
      assertFailClosed(outcome, "did not answer within 1 s");
      assertThat(outcome.took()).isLessThan(java.time.Duration.ofMillis(3500));
    }
  }

  @Test
  void shouldDenyWhenTheManagedSettingsLackUrlOrToken() throws Exception {
    Map<String, String> noUrl = env("x");
    noUrl.remove("HOOK_INGEST_URL");
    assertFailClosed(PodScript.run("claude-guard", INPUT, noUrl), "HOOK_INGEST_URL is not set");
    Map<String, String> noToken = env("http://127.0.0.1:1");
    noToken.remove("CLAUDE_TELEMETRY_TOKEN");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, noToken), "no valid CLAUDE_TELEMETRY_TOKEN");
    Map<String, String> quoteInToken = env("http://127.0.0.1:1");
    quoteInToken.put("CLAUDE_TELEMETRY_TOKEN", "a\"\nheader = \"X-Evil: 1");
    assertFailClosed(
        PodScript.run("claude-guard", INPUT, quoteInToken), "no valid CLAUDE_TELEMETRY_TOKEN");
  }

  @Test
  void shouldGiveNoDecisionInsteadOfDenyingWhenFailOpenIsConfigured() {
    Map<String, String> env = env("http://127.0.0.1:" + FreePorts.next());
    env.put("CLAUDE_GUARD_FAIL_OPEN", "1");
    PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env);
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.stdout()).isEmpty();
    assertThat(outcome.stderr()).contains("failing open");
  }

  @Test
  void shouldIgnoreProxiesCurlrcAndPathThatTheAgentCouldSet(@TempDir Path dir) throws Exception {
    String allow =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    Path fakeBin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : new String[] {"curl", "jq"}) {
      Path fake = fakeBin.resolve(tool);
      Files.writeString(fake, "#!/bin/sh\necho '" + allow + "'\n");
      fake.toFile().setExecutable(true);
    }
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY));
        StubServer agentsProxy = new StubServer(r -> new StubServer.Response(200, allow))) {
      Files.writeString(dir.resolve(".curlrc"), "proxy = \"" + agentsProxy.url() + "\"\n");
      Map<String, String> env = env(ingest.url());
      env.put("PATH", fakeBin + ":/usr/bin:/bin");
      env.put("HOME", dir.toString());
      env.put("http_proxy", agentsProxy.url());
      env.put("HTTP_PROXY", agentsProxy.url());
      env.put("ALL_PROXY", agentsProxy.url());

      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env);

      assertThat(
              JSON.readTree(outcome.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(agentsProxy.requests).isEmpty();
      assertThat(ingest.requests).hasSize(1);
    }
  }

  /**
   * Claude Code (Node) gives a hook its stdin as a socket, not a pipe: a socket cannot be opened
   * again through /dev/stdin, so the guard must read fd 0 itself. Python hands the guard one end of
   * a socketpair here. The input holds multi-byte characters: Content-Length must count bytes, or
   * hook-ingest gets a cut-off body.
   */
  @Test
  void shouldReadItsInputFromASocketAsClaudeCodeGivesIt() throws Exception {
    String input = INPUT.replace("List files", "List files — ünïcödé ☃ 日本語");
    assertThat(input).isNotEqualTo(INPUT);
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      Map<String, String> env = env(ingest.url());
      String harness =
          String.join(
              "\n",
              "import os, socket, subprocess, sys",
              "ours, theirs = socket.socketpair()",
              "guard = subprocess.Popen([sys.argv[1]], stdin=theirs, stdout=subprocess.PIPE, env=dict(os.environ))",
              "theirs.close()",
              "ours.sendall(sys.stdin.buffer.read())",
              "ours.shutdown(socket.SHUT_WR)",
              "sys.stdout.buffer.write(guard.communicate()[0])");
      ProcessBuilder builder =
          new ProcessBuilder("python3", "-c", harness, PodScript.path("claude-guard").toString());
      builder.environment().putAll(env);
      Process python = builder.start();
      try (var stdin = python.getOutputStream()) {
        stdin.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      String output =
          new String(
              python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(python.waitFor()).isZero();

      assertThat(JSON.readTree(output).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(ingest.requests)
          .singleElement()
          .satisfies(r -> assertThat(r.bodyText()).isEqualTo(input));
    }
  }

  /**
   * Bash imports functions from the environment and reads BASH_ENV, SHELLOPTS and more at start;
   * the agent can put any of them into a hook's environment through its own settings. `#!/bin/bash
   * -p` must ignore them all.
   */
  @Test
  void shouldIgnoreShellFunctionsStartupFilesAndOptionsThatTheAgentCouldExport(@TempDir Path dir)
      throws Exception {
    String allow =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    Path marker = dir.resolve("agent-code-ran");
    Path startupFile = dir.resolve("bash_env.sh");
    Files.writeString(startupFile, "touch " + marker + "; echo '" + allow + "'; exit 0\n");
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      Map<String, String> env = env(ingest.url());
      String printAllow = "() { touch " + marker + "; echo '" + allow + "'; }";
      for (String builtin :
          new String[] {
            "printf", "echo", "read", "case", "exec", "[", "hook_ingest_post", "deny", "exit"
          }) {
        env.put("BASH_FUNC_" + builtin + "%%", printAllow);
      }
      env.put("BASH_ENV", startupFile.toString());
      env.put("ENV", startupFile.toString());
      env.put("SHELLOPTS", "xtrace:verbose");
      env.put("BASHOPTS", "extdebug");
      env.put("PS4", "$(touch " + marker + ")");
      env.put("POSIXLY_CORRECT", "1");
      env.put("TMOUT", "0.001");
      env.put("IFS", "/");

      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env);

      assertThat(
              JSON.readTree(outcome.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(ingest.requests).hasSize(1);
      assertThat(marker).doesNotExist();
      assertThat(outcome.stderr()).doesNotContain("pod-token-1");
    }
  }

  /**
   * The shell's fast path accepts hook-ingest's answer without jq only if the reason is a valid
   * JSON string body; anything it accepts must parse, or Claude Code would ignore the answer (fail
   * open). Random strings from an alphabet of escapes, quotes, hex digits and control characters,
   * compared with Jackson.
   */
  @Test
  void shouldTakeTheFastPathOnlyForReasonsThatAreValidJsonStrings() throws Exception {
    String script = Files.readString(PodScript.path("claude-guard"));
    java.util.regex.Matcher function =
        java.util.regex.Pattern.compile("(?ms)^json_string_body\\(\\) \\{.*?^\\}$").matcher(script);
    assertThat(function.find()).as("json_string_body in claude-guard").isTrue();
    String[] alphabet = {
      "\\", "\"", "u", "0", "a", "F", "g", "n", "/", "b", "t", "x", " ", "\u00e9", "\t", "\u0001",
      "\\\\", "\\\"", "\\u00e9", "\\n"
    };
    long seed = System.nanoTime();
    java.util.Random random = new java.util.Random(seed);
    java.util.List<String> cases =
        new java.util.ArrayList<>(
            java.util.List.of("", "plain", "a \\\"q\\\" b", "\\", "x\\u12", "\\/"));
    while (cases.size() < 2000) {
      StringBuilder value = new StringBuilder();
      for (int i = random.nextInt(9); i > 0; i--) {
        value.append(alphabet[random.nextInt(alphabet.length)]);
      }
      cases.add(value.toString());
    }
    // One case per line, each byte as an octal escape so that newlines and quotes survive the trip.
    StringBuilder input = new StringBuilder();
    for (String value : cases) {
      for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        input.append(String.format("\\0%03o", b & 0xff));
      }
      input.append('\n');
    }
    String driver =
        function.group()
            + "\nwhile IFS= read -r line; do s=$(printf '%b' \"$line\"; echo .); "
            + "if json_string_body \"${s%.}\"; then echo 1; else echo 0; fi; done\n";
    Process bash = new ProcessBuilder("bash", "-p", "-c", driver).redirectErrorStream(true).start();
    try (var stdin = bash.getOutputStream()) {
      stdin.write(input.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String[] verdicts =
        new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .split("\n");
    assertThat(bash.waitFor()).isZero();
    assertThat(verdicts).hasSize(cases.size());
    int accepted = 0;
    for (int i = 0; i < cases.size(); i++) {
      boolean valid;
      try {
        STRICT_JSON.readValue("\"" + cases.get(i) + "\"", String.class);
        valid = true;
      } catch (java.io.IOException e) {
        valid = false;
      }
      assertThat(verdicts[i].equals("1"))
          .as("seed %d, reason %s", seed, cases.get(i))
          .isEqualTo(valid);
      accepted += valid ? 1 : 0;
    }
    assertThat(accepted).as("valid cases among the random ones").isBetween(100, cases.size() - 100);
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

  static Map<String, String> env(String ingestUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("HOOK_INGEST_URL", ingestUrl);
    env.put("CLAUDE_TELEMETRY_TOKEN", "pod-token-1");
    env.put("CLAUDE_TELEMETRY_USER", "alice");
    return env;
  }
}
