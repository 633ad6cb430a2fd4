package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.FreePorts;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** k8s/claude-code/bin/claude-hook: delivers, stays silent, never fails or stalls the session. */
class ClaudeHookTest {

  @Test
  void shouldDeliverTheInputWithTokenAndUserAndPrintNothing() {
    String input = PodScript.fixture("UserPromptSubmit.json");
    try (StubServer ingest =
        new StubServer(r -> new StubServer.Response(200, "{\"additionalContext\":\"x\"}"))) {
      PodScript.Outcome outcome =
          PodScript.run("claude-hook", input, ClaudeGuardTest.env(ingest.url()));

      assertThat(outcome.exitCode()).isZero();
      // UserPromptSubmit's stdout would become context for the model: nothing may leak through.
      assertThat(outcome.stdout()).isEmpty();
      assertThat(ingest.requests)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.pathAndQuery()).isEqualTo("/v1/hooks");
                assertThat(r.header("Authorization")).isEqualTo("Bearer pod-token-1");
                assertThat(r.header("X-Claude-Telemetry-User")).isEqualTo("alice");
                assertThat(r.bodyText()).isEqualTo(input);
              });
    }
  }

  @Test
  void shouldExitZeroSilentlyWhenHookIngestIsDownOrFailing() {
    String input = PodScript.fixture("PostToolUse-Bash.json");
    PodScript.Outcome refused =
        PodScript.run(
            "claude-hook", input, ClaudeGuardTest.env("http://127.0.0.1:" + FreePorts.next()));
    assertThat(refused.exitCode()).isZero();
    assertThat(refused.stdout() + refused.stderr()).isEmpty();

    try (StubServer broken = new StubServer(r -> new StubServer.Response(500, "boom"))) {
      PodScript.Outcome failed =
          PodScript.run("claude-hook", input, ClaudeGuardTest.env(broken.url()));
      assertThat(failed.exitCode()).isZero();
      assertThat(failed.stdout()).isEmpty();
    }
  }

  @Test
  void shouldGiveUpAfterItsShortTimeout() {
    try (StubServer hanging =
        new StubServer(
            r -> {
              Thread.sleep(5000);
              return new StubServer.Response(200, "{}");
            })) {
      Map<String, String> env = ClaudeGuardTest.env(hanging.url());
      env.put("CLAUDE_HOOK_TIMEOUT_SECONDS", "1");
      PodScript.Outcome outcome = PodScript.run("claude-hook", PodScript.fixture("Stop.json"), env);
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.took()).isLessThan(Duration.ofMillis(3500));
    }
  }

  @Test
  void shouldSendNothingWithoutManagedConfiguration() {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, "{}"))) {
      Map<String, String> env = ClaudeGuardTest.env(ingest.url());
      env.remove("CLAUDE_TELEMETRY_TOKEN");
      PodScript.Outcome outcome = PodScript.run("claude-hook", PodScript.fixture("Stop.json"), env);
      assertThat(outcome.exitCode()).isZero();
      assertThat(ingest.requests).isEmpty();
    }
  }
}
