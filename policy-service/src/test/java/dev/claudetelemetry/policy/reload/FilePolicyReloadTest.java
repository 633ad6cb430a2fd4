package dev.claudetelemetry.policy.reload;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import dev.claudetelemetry.policy.decisions.DecisionResourceTest;
import dev.claudetelemetry.policy.decisions.MetricsAndHealthTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The running service with POLICY_FILE on a ConfigMap-style volume: audit mode, a live update, a
 * refused update and what health, metrics and decisions show meanwhile. The watcher runs for real;
 * nothing calls it directly.
 */
@QuarkusTest
@TestProfile(FilePolicyReloadTest.OnConfigMapVolume.class)
class FilePolicyReloadTest {

  static final ConfigMapVolume VOLUME;

  static {
    try {
      VOLUME =
          new ConfigMapVolume(Files.createTempDirectory("policy-volume"))
              .write(policy("audit", "audit.1"));
      // At JVM exit: JUnit and Quarkus each load this class, so each copy made a volume, and the
      // watcher
      // reads it until the application stops.
      Runtime.getRuntime().addShutdownHook(new Thread(VOLUME::deleteQuietly));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static class OnConfigMapVolume implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // The safety-net re-read set to an hour: within the test only the directory watcher can
      // pick a change up.
      return Map.of("policy.file", VOLUME.file().toString(), "policy.recheck-interval", "1h");
    }
  }

  static String policy(String mode, String version) throws IOException {
    return Files.readString(Path.of("../policies/default-policy.yaml"))
        .replace("mode: enforce", "mode: " + mode)
        .replace("version: \"2026-12-07.1\"", "version: \"" + version + "\"");
  }

  @Test
  void shouldAuditReloadAndRefuseLive() throws IOException {
    // audit mode: Claude Code gets no decision, the verdict and its reason are kept for the record
    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "rm -rf /"))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.reason", containsString("rm-recursive-outside-workspace"))
        .body("policy.verdict", equalTo("deny"))
        .body("policy.mode", equalTo("audit"))
        .body("policy.version", equalTo("audit.1"));
    given().get("/v1/policy").then().body("origin", equalTo(VOLUME.file().toString()));

    // a valid update through the ..data swap is live within 10 s
    VOLUME.write(policy("enforce", "enforce.2"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> given().get("/v1/policy").then().body("version", equalTo("enforce.2")));
    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "rm -rf /"))
        .then()
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"));

    // a policy whose example fails is refused: the last good one stays, health says why
    double refusedBefore = refusedReloads();
    VOLUME.write(
        policy("enforce", "broken.3")
            .replace("        - rm -rf node_modules\n", "        - rm -rf /\n"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                MetricsAndHealthTest.management()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("checks.find { it.name == 'policy' }.data.lastReload", equalTo("refused"))
                    .body("checks.find { it.name == 'policy' }.data.version", equalTo("enforce.2"))
                    .body(
                        "checks.find { it.name == 'policy' }.data.lastReloadProblem",
                        containsString("rule rm-recursive-outside-workspace"))
                    .body(
                        "checks.find { it.name == 'policy' }.data.lastReloadProblem",
                        containsString("keeping version enforce.2")));
    assertThat(refusedReloads() - refusedBefore).isEqualTo(1.0);
    given().get("/v1/policy").then().body("version", equalTo("enforce.2"));
    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "rm -rf /"))
        .then()
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"));
  }

  private static double refusedReloads() {
    return MetricsAndHealthTest.value(
        MetricsAndHealthTest.scrape(), "claude_policy_reloads_total{result=\"refused\"}");
  }
}
