package dev.claudetelemetry.policy.decisions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class MetricsAndHealthTest {

  /**
   * A request to the management interface, where /q/metrics and /q/health live: the port the test
   * run bound ({@code quarkus.management.test-port=0} resolves to a free one).
   */
  public static RequestSpecification management() {
    return given()
        .port(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class));
  }

  /**
   * The Prometheus text format, with the trailing comma Micrometer writes in label sets removed.
   */
  public static String scrape() {
    return management()
        .accept("text/plain; version=0.0.4")
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .extract()
        .asString()
        .replace(",}", "}");
  }

  public static double value(String scrape, String series) {
    Matcher matcher =
        Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(scrape);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }

  @Test
  void shouldCountDecisionsByVerdictRuleToolAndMode() throws IOException {
    String deny =
        "claude_policy_decisions_total{decision=\"deny\",enforcement=\"enforced\",mode=\"enforce\",rule=\"rm-recursive-outside-workspace\",tool=\"Bash\"}";
    String undecided =
        "claude_policy_decisions_total{decision=\"none\",enforcement=\"enforced\",mode=\"enforce\",rule=\"none\",tool=\"Bash\"}";
    String other =
        "claude_policy_decisions_total{decision=\"none\",enforcement=\"enforced\",mode=\"enforce\",rule=\"none\",tool=\"other\"}";
    String before = scrape();

    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "rm -rf /"))
        .then()
        .statusCode(200);
    DecisionResourceTest.post(DecisionResourceTest.withCommand("PreToolUse-Bash.json", "rm -rf /"))
        .then()
        .statusCode(200);
    DecisionResourceTest.post(DecisionResourceTest.fixture("PreToolUse-Bash.json"))
        .then()
        .statusCode(200);
    DecisionResourceTest.post(
            "{\"tool_name\":\"mcp__some_server__a_tool_with_a_long_name\",\"tool_input\":{}}")
        .then()
        .statusCode(200);

    String after = scrape();
    assertThat(value(after, deny) - value(before, deny)).isEqualTo(2.0);
    assertThat(value(after, undecided) - value(before, undecided)).isEqualTo(1.0);
    assertThat(value(after, other) - value(before, other)).isEqualTo(1.0);
    assertThat(after).doesNotContain("mcp__some_server");
  }

  @Test
  void shouldExposeEvaluationHistogramReloadsAndPolicyInfo() throws IOException {
    DecisionResourceTest.post(DecisionResourceTest.fixture("PreToolUse-Bash.json"))
        .then()
        .statusCode(200);

    String scrape = scrape();
    assertThat(value(scrape, "claude_policy_evaluation_seconds_bucket{le=\"+Inf\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(scrape).contains("claude_policy_evaluation_seconds_bucket{le=\"2.0E-4\"}");
    assertThat(value(scrape, "claude_policy_evaluation_seconds_count")).isGreaterThanOrEqualTo(1.0);
    assertThat(
            value(
                scrape,
                "claude_policy_info{sha=\""
                    + DecisionResourceTest.shippedSha()
                    + "\",version=\"2026-12-07.1\"}"))
        .isEqualTo(1.0);
    assertThat(scrape).contains("# TYPE claude_policy_decisions_total counter");
    assertThat(scrape).contains("# TYPE claude_policy_evaluation_seconds histogram");
  }

  @Test
  void shouldBeReadyWithActivePolicyInHealthDetails() {
    management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem("policy"))
        .body("checks.find { it.name == 'policy' }.data.version", equalTo("2026-12-07.1"))
        .body("checks.find { it.name == 'policy' }.data.origin", equalTo("classpath:default"))
        .body(
            "checks.find { it.name == 'policy' }.data.sha256",
            equalTo(DecisionResourceTest.shippedSha()));
  }

  @Test
  void shouldServeMetricsAndHealthOnlyOnTheManagementPort() {
    for (String path : new String[] {"/q/metrics", "/q/health", "/q/health/ready"}) {
      management().get(path).then().statusCode(200);
      given().get(path).then().statusCode(404);
    }
  }
}
