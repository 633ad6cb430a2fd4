package dev.claudetelemetry.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A scripted day of Claude Code use, sent the way the pod's hook scripts and the collector send it:
 * the recorded hook inputs (testdata/claude-code/hooks) through hook-ingest's /v1/hooks, a recorded
 * transcript to transcript-service, the recorded OTLP logs to its /v1/logs. Each session gets fresh
 * session and tool_use ids, so a replay counts as new tool calls.
 */
final class Workload {
  /**
   * A denied call this workload made: which user, session and command, for the audit-trail
   * assertions.
   */
  record Denial(String user, String sessionId, String command, String reason) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path fixtures;
  private final String ingestUrl;
  private final String ingestToken;
  private final String transcriptUrl;
  private final String writeToken;
  private final List<Denial> denials = new ArrayList<>();
  private int toolUseSequence;
  private int dryRunListings;

  Workload(
      Path fixtures,
      String ingestUrl,
      String ingestToken,
      String transcriptUrl,
      String writeToken) {
    this.fixtures = fixtures;
    this.ingestUrl = ingestUrl;
    this.ingestToken = ingestToken;
    this.transcriptUrl = transcriptUrl;
    this.writeToken = writeToken;
  }

  List<Denial> denials() {
    return denials;
  }

  /**
   * One session of {@code user}: start, a prompt, a Bash call that succeeds, a Read, a Bash call
   * that fails, an {@code rm -rf /etc} the policy denies, stop, end; its transcript uploaded; plus
   * two bad requests.
   */
  String session(String user) {
    String session = UUID.randomUUID().toString();
    hook(user, session, "SessionStart-startup.json", null);
    // A prompt with a (fake) GitHub token in it: transcript-service must redact it before storing.
    ObjectNode prompt = (ObjectNode) fixture("UserPromptSubmit.json");
    prompt.put(
        "prompt",
        "push with GITHUB_TOKEN=ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" + " please");
    hook(user, session, prompt, null);
    toolCall(user, session, "PreToolUse-Bash.json", "PostToolUse-Bash.json");
    toolCall(user, session, "PreToolUse-Read.json", "PostToolUse-Read.json");
    toolCall(user, session, "PreToolUse-Bash.json", "PostToolUseFailure-Bash.json");

    String command = "rm -rf /etc";
    ObjectNode dangerous = (ObjectNode) fixture("PreToolUse-Bash.json");
    ((ObjectNode) dangerous.path("tool_input")).put("command", command);
    JsonNode answer = hook(user, session, dangerous, nextToolUseId());
    assertThat(answer.path("hookSpecificOutput").path("permissionDecision").asText())
        .as("policy-service denies %s: %s", command, answer)
        .isEqualTo("deny");
    assertThat(answer.path("hookSpecificOutput").path("permissionDecisionReason").asText())
        .as("denied by a policy rule, not by the guard failing closed")
        .doesNotContain("guard unavailable");
    denials.add(
        new Denial(
            user,
            session,
            command,
            answer.path("hookSpecificOutput").path("permissionDecisionReason").asText()));

    hook(user, session, "Stop.json", null);
    hook(user, session, "SessionEnd.json", null);
    uploadTranscript(user, session);
    badRequests();
    return session;
  }

  /**
   * A guarded call while policy-service cannot answer: hook-ingest must deny it itself (fail
   * closed).
   */
  String failClosedCall(String user) {
    String session = UUID.randomUUID().toString();
    JsonNode answer = hook(user, session, fixture("PreToolUse-Bash.json"), nextToolUseId());
    assertThat(answer.path("hookSpecificOutput").path("permissionDecision").asText())
        .as("hook-ingest fails closed: %s", answer)
        .isEqualTo("deny");
    assertThat(answer.path("hookSpecificOutput").path("permissionDecisionReason").asText())
        .contains("guard unavailable");
    denials.add(
        new Denial(
            user,
            session,
            fixture("PreToolUse-Bash.json").path("tool_input").path("command").asText(),
            answer.path("hookSpecificOutput").path("permissionDecisionReason").asText()));
    return session;
  }

  /** Claude Code's recorded OTLP log events, as the collector's otlphttp exporter forwards them. */
  void otlpLogs() {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(transcriptUrl + "/v1/logs"))
                .header("Authorization", "Bearer " + writeToken)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(bytes("otel/otlp-logs.json"))));
    assertThat(response.statusCode()).as("POST /v1/logs: %s", response.body()).isEqualTo(200);
  }

  private void toolCall(String user, String session, String pre, String post) {
    String toolUseId = nextToolUseId();
    JsonNode answer = hook(user, session, fixture(pre), toolUseId);
    // No rule of the shipped policy decides the recorded `ls -la`; the rule in dry run that matches
    // it must not change that. (A cold policy-service on a loaded machine can miss hook-ingest's
    // 2 s timeout on the first call: that call is answered fail-closed, without the policy.)
    boolean guardUnavailable =
        answer
            .path("hookSpecificOutput")
            .path("permissionDecisionReason")
            .asText()
            .startsWith("claude-telemetry guard unavailable");
    if (pre.equals("PreToolUse-Bash.json") && !guardUnavailable) {
      assertThat(answer.toString()).as("answer to %s", pre).isEqualTo("{}");
      dryRunListings++;
    }
    hook(user, session, fixture(post), toolUseId);
  }

  /**
   * PreToolUse calls of {@code ls -la} answered by the policy, which the test policy's rule in dry
   * run would deny.
   */
  int dryRunListings() {
    return dryRunListings;
  }

  private JsonNode hook(String user, String session, String fixture, String toolUseId) {
    return hook(user, session, fixture(fixture), toolUseId);
  }

  private JsonNode hook(String user, String session, JsonNode input, String toolUseId) {
    ObjectNode event = ((ObjectNode) input).deepCopy();
    event.put("session_id", session);
    if (toolUseId != null) {
      event.put("tool_use_id", toolUseId);
    }
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/hooks"))
                .header("Authorization", "Bearer " + ingestToken)
                .header("X-Claude-Telemetry-User", user)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(event.toString())));
    assertThat(response.statusCode())
        .as("POST /v1/hooks %s: %s", event.path("hook_event_name"), response.body())
        .isEqualTo(200);
    try {
      return Dashboards.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A wrong token and a body that is not JSON: both refused, both counted as rejects. */
  private void badRequests() {
    HttpResponse<String> unauthorized =
        send(
            HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/hooks"))
                .header("Authorization", "Bearer wrong-token")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}")));
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    HttpResponse<String> notJson =
        send(
            HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/hooks"))
                .header("Authorization", "Bearer " + ingestToken)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("this is not json")));
    assertThat(notJson.statusCode()).isEqualTo(400);
  }

  private void uploadTranscript(String user, String session) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        transcriptUrl + "/v1/transcripts/" + session + "/files/main?offset=0"))
                .header("Authorization", "Bearer " + writeToken)
                .header("X-Claude-Telemetry-User", user)
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(bytes("transcripts/session-with-denials.jsonl"))));
    assertThat(response.statusCode()).as("transcript upload: %s", response.body()).isEqualTo(200);
  }

  private String nextToolUseId() {
    return "toolu_live_" + (++toolUseSequence) + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private JsonNode fixture(String name) {
    try {
      return Dashboards.JSON.readTree(path("hooks/" + name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path path(String relative) {
    Path file = fixtures.resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("missing recorded fixture " + file);
    }
    return file;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(15)).build(), BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
