package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.FreePorts;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** claude-hook: delivers, stays silent, never fails or stalls the session. */
class ClaudeHookTest {

  @Test
  void shouldDeliverTheInputWithTokenAndUserAndPrintNothing() {
    String input = PodScript.fixture("UserPromptSubmit.json");
    try (StubServer ingest =
        new StubServer(r -> new StubServer.Response(200, "{\"additionalContext\":\"x\"}"))) {
      PodScript.Outcome outcome =
          PodScript.run("claude-hook", input, ClaudeGuardTest.setup(ingest.url()));

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
            "claude-hook", input, ClaudeGuardTest.setup("http://127.0.0.1:" + FreePorts.next()));
    assertThat(refused.exitCode()).isZero();
    assertThat(refused.stdout() + refused.stderr()).isEmpty();

    try (StubServer broken = new StubServer(r -> new StubServer.Response(500, "boom"))) {
      PodScript.Outcome failed =
          PodScript.run("claude-hook", input, ClaudeGuardTest.setup(broken.url()));
      assertThat(failed.exitCode()).isZero();
      assertThat(failed.stdout()).isEmpty();
    }
  }

  /** The stub answers only after the hook has exited: it can only have ended by its timeout. */
  @Test
  void shouldGiveUpAfterItsShortTimeout() {
    CountDownLatch hookExited = new CountDownLatch(1);
    try (StubServer hanging =
        new StubServer(
            r -> {
              hookExited.await();
              return new StubServer.Response(200, "{}");
            })) {
      PodScript.Outcome outcome =
          PodScript.run(
              "claude-hook",
              PodScript.fixture("Stop.json"),
              ClaudeGuardTest.setup(hanging.url()).managed("CLAUDE_HOOK_TIMEOUT_SECONDS", "0.5"));
      hookExited.countDown();
      assertThat(outcome.exitCode()).isZero();
      assertThat(outcome.stdout()).isEmpty();
      assertThat(hanging.requests).hasSize(1);
    }
  }

  @Test
  void shouldSendNothingWithoutManagedConfiguration() {
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, "{}"))) {
      PodScript.Outcome outcome =
          PodScript.run(
              "claude-hook",
              PodScript.fixture("Stop.json"),
              ClaudeGuardTest.setup(ingest.url())
                  .withoutManaged("CLAUDE_TELEMETRY_TOKEN")
                  .process("CLAUDE_TELEMETRY_TOKEN", "pod-token-1"));
      assertThat(outcome.exitCode()).isZero();
      assertThat(ingest.requests).isEmpty();
    }
  }
}
