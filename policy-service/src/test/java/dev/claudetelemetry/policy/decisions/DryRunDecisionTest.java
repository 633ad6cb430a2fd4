package dev.claudetelemetry.policy.decisions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.claudetelemetry.policy.rules.Policies;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The running service with the shipped policy plus one rule in {@code enforcement: dryrun}
 * (testdata/policies/dryrun-rule.yaml): the answer Claude Code gets is the shipped policy's, and
 * the dry-run rule is in the decision JSON and in {@code claude_policy_decisions_total}.
 */
@QuarkusTest
@TestProfile(DryRunDecisionTest.WithDryRunRule.class)
class DryRunDecisionTest {

  private static final String DRYRUN_DENY =
      "claude_policy_decisions_total{decision=\"deny\",enforcement=\"dryrun\",mode=\"enforce\",rule=\"list-hidden-files\",tool=\"Bash\"}";
  private static final String ENFORCED_NONE =
      "claude_policy_decisions_total{decision=\"none\",enforcement=\"enforced\",mode=\"enforce\",rule=\"none\",tool=\"Bash\"}";
  private static final String ENFORCED_DENY =
      "claude_policy_decisions_total{decision=\"deny\",enforcement=\"enforced\",mode=\"enforce\",rule=\"rm-recursive-outside-workspace\",tool=\"Bash\"}";

  public static class WithDryRunRule implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path file = Files.createTempFile("dryrun-policy", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, Policies.shippedWithDryRunRule());
        return Map.of("policy.file", file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void shouldGiveNoDecisionForTheRecordedListingAndReportWhatTheDryRunRuleWouldHaveDone()
      throws IOException {
    String before = MetricsAndHealthTest.scrape();

    DecisionResourceTest.post(DecisionResourceTest.fixture("PreToolUse-Bash.json"))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.verdict", equalTo("none"))
        .body("policy", not(hasKey("reason")))
        .body("policy.dryrun", hasSize(1))
        .body("policy.dryrun[0].ruleId", equalTo("list-hidden-files"))
        .body("policy.dryrun[0].verdict", equalTo("deny"))
        .body(
            "policy.dryrun[0].reason",
            containsString(
                "Would have been blocked by policy rule list-hidden-files (dry run, not enforced): 'ls -la'"));

    String after = MetricsAndHealthTest.scrape();
    assertThat(delta(before, after, DRYRUN_DENY)).isEqualTo(1.0);
    assertThat(delta(before, after, ENFORCED_NONE)).isEqualTo(1.0);
  }

  @Test
  void shouldDenyByTheEnforcedRuleAndStillReportTheDryRunRule() throws IOException {
    String before = MetricsAndHealthTest.scrape();

    DecisionResourceTest.post(
            DecisionResourceTest.withCommand("PreToolUse-Bash.json", "ls -a / && rm -rf /"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body(
            "hookSpecificOutput.permissionDecisionReason",
            containsString("rm-recursive-outside-workspace"))
        .body("hookSpecificOutput.permissionDecisionReason", not(containsString("list-hidden")))
        .body("policy.ruleId", equalTo("rm-recursive-outside-workspace"))
        .body("policy.dryrun[0].ruleId", equalTo("list-hidden-files"));

    String after = MetricsAndHealthTest.scrape();
    assertThat(delta(before, after, ENFORCED_DENY)).isEqualTo(1.0);
    assertThat(delta(before, after, DRYRUN_DENY)).isEqualTo(1.0);
  }

  @Test
  void shouldOmitDryRunWhenNoDryRunRuleMatches() throws IOException {
    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "ls -l"))
        .then()
        .statusCode(200)
        .body("policy.verdict", equalTo("none"))
        .body("policy", not(hasKey("dryrun")));
  }

  @Test
  void shouldReportDryRunMatchesInBatchesToo() throws IOException {
    String input = DecisionResourceTest.fixture("PreToolUse-Bash.json");
    io.restassured.RestAssured.given()
        .urlEncodingEnabled(false)
        .contentType(io.restassured.http.ContentType.JSON)
        .body("{\"inputs\": [" + input + "]}")
        .post("/v1/decisions:batch")
        .then()
        .statusCode(200)
        .body("results[0].policy.dryrun[0].ruleId", equalTo("list-hidden-files"));
  }

  private static double delta(String before, String after, String series) {
    return MetricsAndHealthTest.value(after, series) - MetricsAndHealthTest.value(before, series);
  }
}
