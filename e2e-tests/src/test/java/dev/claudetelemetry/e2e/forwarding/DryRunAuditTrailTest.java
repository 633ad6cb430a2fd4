package dev.claudetelemetry.e2e.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.e2e.pod.MetricsSnapshot;
import dev.claudetelemetry.testsupport.PostgresServer;
import dev.claudetelemetry.testsupport.RepoPaths;
import dev.claudetelemetry.testsupport.ServiceJar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy rule in {@code enforcement: dryrun} end to end, with the real jars and a real
 * PostgreSQL: hook-ingest asks policy-service (the shipped policy plus the rule of {@code
 * testdata/policies/dryrun-rule.yaml}), Claude Code's answer is the shipped policy's, and what the
 * rule would have done is counted by both services, stored with the call in transcript-service and
 * shown on the call in the viewer.
 */
class DryRunAuditTrailTest {

  private static final String INGEST_TOKEN = "dryrun-test-ingest-token";
  private static final String WRITE_TOKEN = "dryrun-test-write-token";
  private static final String READ_TOKEN = "dryrun-test-read-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void shouldChangeNoAnswerAndRecordWhatTheDryRunRuleWouldHaveDone() throws Exception {
    Path policy = work.resolve("policy.yaml");
    Files.writeString(policy, RepoPaths.policyWithDryRunRule());
    Path logs = work.resolve("logs");
    try (PostgresServer postgres = PostgresServer.start()) {
      Map<String, String> transcriptEnv = new HashMap<>(postgres.quarkusEnv());
      transcriptEnv.put("TRANSCRIPT_WRITE_TOKEN", WRITE_TOKEN);
      transcriptEnv.put("TRANSCRIPT_READ_TOKEN", READ_TOKEN);
      try (ServiceJar transcript = ServiceJar.start("transcript-service", transcriptEnv, logs);
          ServiceJar policyService =
              ServiceJar.start("policy-service", Map.of("POLICY_FILE", policy.toString()), logs);
          ServiceJar ingest =
              ServiceJar.start(
                  "hook-ingest",
                  Map.of(
                      "HOOK_INGEST_TOKEN",
                      INGEST_TOKEN,
                      "POLICY_SERVICE_URL",
                      policyService.baseUrl(),
                      "TRANSCRIPT_SERVICE_URL",
                      transcript.baseUrl(),
                      "TRANSCRIPT_SERVICE_TOKEN",
                      WRITE_TOKEN),
                  logs)) {
        HttpClient client = HttpClient.newHttpClient();
        String session = UUID.randomUUID().toString();
        // One decision straight from policy-service first: a cold JVM on a loaded machine can take
        // longer than hook-ingest's 2 s timeout for its very first one, which would answer
        // fail-closed instead of with the policy.
        HttpResponse<String> warm =
            client.send(
                HttpRequest.newBuilder(URI.create(policyService.url("/v1/decisions")))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofFile(
                            RepoPaths.claudeCodeFixtures().resolve("hooks/PreToolUse-Read.json")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
        MetricsSnapshot policyBefore = HookPosts.metrics(policyService);

        // The recorded `ls -la`, under the id the recorded transcript gives its first call: no
        // rule of the shipped policy decides it, so Claude Code gets no decision.
        String listing =
            HookPosts.post(
                client,
                ingest,
                INGEST_TOKEN,
                "PreToolUse-Bash.json",
                input -> input.put("session_id", session).put("tool_use_id", "toolu_0000"));
        assertThat(listing).isEqualTo("{}");
        // With an enforced deny in the same line the deny is the enforced rule's alone.
        String wipe =
            HookPosts.post(
                client,
                ingest,
                INGEST_TOKEN,
                "PreToolUse-Bash.json",
                input -> {
                  input.put("session_id", session).put("tool_use_id", "toolu_0001");
                  ((ObjectNode) input.path("tool_input")).put("command", "ls -a / && rm -rf /");
                });
        JsonNode denial = JSON.readTree(wipe).path("hookSpecificOutput");
        assertThat(denial.path("permissionDecision").asText()).isEqualTo("deny");
        assertThat(denial.path("permissionDecisionReason").asText())
            .contains("rm-recursive-outside-workspace")
            .doesNotContain("list-hidden-files");

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(
                            HookPosts.stored(
                                postgres,
                                session,
                                "tool_use_id || '|' || verdict || '|' || coalesce(rule_id, '-')"
                                    + " || '|' || (dryrun->0->>'ruleId') || '|'"
                                    + " || (dryrun->0->>'verdict') || '|' || jsonb_array_length(dryrun)"))
                        .containsExactlyInAnyOrder(
                            "toolu_0000|none|-|list-hidden-files|deny|1",
                            "toolu_0001|deny|rm-recursive-outside-workspace|list-hidden-files|deny|1"));
        assertThat(HookPosts.stored(postgres, session, "dryrun->0->>'reason'"))
            .allSatisfy(
                reason ->
                    assertThat(reason)
                        .startsWith(
                            "Would have been blocked by policy rule list-hidden-files (dry run,"
                                + " not enforced)"));
        // Only the enforced deny is a denial of the session.
        assertThat(
                postgres
                    .psql(
                        PostgresServer.DATABASE,
                        "SELECT denials FROM sessions WHERE id = '" + session + "'")
                    .strip())
            .isEqualTo("1");

        MetricsSnapshot ingestAfter = HookPosts.metrics(ingest);
        assertThat(
                ingestAfter.sum(
                    "claude_hook_guard_dryrun_matches_total",
                    "rule",
                    "list-hidden-files",
                    "verdict",
                    "deny"))
            .isEqualTo(2);
        MetricsSnapshot policyAfter = HookPosts.metrics(policyService);
        assertThat(
                policyAfter.delta(
                    policyBefore,
                    "claude_policy_decisions_total",
                    "enforcement",
                    "dryrun",
                    "rule",
                    "list-hidden-files",
                    "decision",
                    "deny"))
            .isEqualTo(2);
        assertThat(
                policyAfter.delta(
                    policyBefore, "claude_policy_decisions_total", "enforcement", "enforced"))
            .as("one decision per call")
            .isEqualTo(2);

        // The viewer shows it on the call, once the session's transcript is there.
        HttpResponse<String> upload =
            client.send(
                HttpRequest.newBuilder(
                        URI.create(
                            transcript.url("/v1/transcripts/" + session + "/files/main?offset=0")))
                    .header("Authorization", "Bearer " + WRITE_TOKEN)
                    .header("X-Claude-Telemetry-User", "alice")
                    .header("Content-Type", "application/octet-stream")
                    .POST(
                        HttpRequest.BodyPublishers.ofFile(
                            RepoPaths.claudeCodeFixtures()
                                .resolve("transcripts/session-with-denials.jsonl")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        HttpResponse<String> page =
            client.send(
                HttpRequest.newBuilder(URI.create(transcript.url("/sessions/" + session)))
                    .header("Authorization", "Bearer " + READ_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
            .contains("would have denied by list-hidden-files")
            .contains("denied by rm-recursive-outside-workspace");
        assertThat(page.body().split("would have denied by list-hidden-files", -1))
            .as("on both calls")
            .hasSize(3);
      }
    }
  }
}
