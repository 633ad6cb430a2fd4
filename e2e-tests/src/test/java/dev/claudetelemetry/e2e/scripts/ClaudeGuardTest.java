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

/** k8s/claude-code/bin/claude-guard against answers hook-ingest gives, and against the ones it must not trust. */
class ClaudeGuardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INPUT = PodScript.fixture("PreToolUse-Bash.json");
  private static final String DENY = """
      {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
       "permissionDecisionReason":"Blocked by rule env-file-read: reads .env"},
       "policy":{"verdict":"deny","ruleId":"env-file-read","mode":"enforce"}}""";

  @Test
  void shouldForwardTheInputWithTokenAndUserAndPrintOnlyTheHookSpecificOutput() throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));

      assertThat(outcome.exitCode()).isZero();
      assertThat(JSON.readTree(outcome.stdout())).isEqualTo(JSON.readTree("""
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
    String allow = "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, allow))) {
      PodScript.Outcome outcome = PodScript.run("claude-guard", INPUT, env(ingest.url()));
      assertThat(JSON.readTree(outcome.stdout())).isEqualTo(JSON.readTree(allow));
    }
  }

  static Stream<String> wellFormedDecisions() {
    return Stream.of(
        // hook-ingest's canonical shape (the shell's fast path), with escapes and non-ASCII in the reason
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

  static Stream<Arguments> answersThatAreNoDecision() {
    return Stream.of(
        Arguments.of(500, DENY, "hook-ingest answered HTTP 500"),
        Arguments.of(503, "", "hook-ingest answered HTTP 503"),
        Arguments.of(401, "{}", "refused this pod's token (HTTP 401)"),
        Arguments.of(200, "not json at all", "not a valid decision"),
        Arguments.of(200, "{}", "not a valid decision"),
        Arguments.of(200, "[]", "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PostToolUse\"}}", "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"maybe\"}}",
            "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
            + "\"permissionDecisionReason\":42}}", "not a valid decision"),
        // canonical-looking but not JSON: Claude Code would ignore it and fail open
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
            + "\"permissionDecisionReason\":\"a \"quote\"}}", "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
            + "\"permissionDecisionReason\":\"tab\there\"}}", "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\","
            + "\"permissionDecisionReason\":\"bad \\x escape\"}}", "not a valid decision"),
        Arguments.of(200, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}",
            "not a valid decision"));
  }

  @ParameterizedTest(name = "HTTP {0} {1}")
  @MethodSource("answersThatAreNoDecision")
  void shouldDenyWithTheReasonWhenTheAnswerIsNoValidDecision(int status, String body, String reason) throws Exception {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(status, body))) {
      assertFailClosed(PodScript.run("claude-guard", INPUT, env(ingest.url())), reason);
    }
  }

  @Test
  void shouldDenyWhenHookIngestRefusesTheConnection() throws Exception {
    assertFailClosed(PodScript.run("claude-guard", INPUT, env("http://127.0.0.1:" + FreePorts.next())),
        "refused the connection");
  }

  @Test
  void shouldDenyWithinTheTimeoutWhenHookIngestHangs() throws Exception {
    try (StubServer ingest = new StubServer(r -> {
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
    assertFailClosed(PodScript.run("claude-guard", INPUT, noToken), "no valid CLAUDE_TELEMETRY_TOKEN");
    Map<String, String> quoteInToken = env("http://127.0.0.1:1");
    quoteInToken.put("CLAUDE_TELEMETRY_TOKEN", "a\"\nheader = \"X-Evil: 1");
    assertFailClosed(PodScript.run("claude-guard", INPUT, quoteInToken), "no valid CLAUDE_TELEMETRY_TOKEN");
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
    String allow = "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\"}}";
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

      assertThat(JSON.readTree(outcome.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .isEqualTo("deny");
      assertThat(agentsProxy.requests).isEmpty();
      assertThat(ingest.requests).hasSize(1);
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

  static Map<String, String> env(String ingestUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("HOOK_INGEST_URL", ingestUrl);
    env.put("CLAUDE_TELEMETRY_TOKEN", "pod-token-1");
    env.put("CLAUDE_TELEMETRY_USER", "alice");
    return env;
  }
}
