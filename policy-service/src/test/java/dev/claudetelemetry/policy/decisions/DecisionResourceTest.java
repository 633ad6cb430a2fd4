package dev.claudetelemetry.policy.decisions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class DecisionResourceTest {

  static final Path HOOKS = Path.of("../testdata/claude-code/hooks");
  private static final ObjectMapper JSON = new ObjectMapper();

  public static String fixture(String name) throws IOException {
    return Files.readString(HOOKS.resolve(name));
  }

  public static String withCommand(String fixture, String command) throws IOException {
    ObjectNode input = (ObjectNode) JSON.readTree(fixture(fixture));
    ((ObjectNode) input.get("tool_input")).put("command", command);
    return input.toString();
  }

  public static Response post(String body) {
    return given().contentType(ContentType.JSON).body(body).post("/v1/decisions");
  }

  @Test
  void shouldGiveNoDecisionForARecordedHarmlessBashCallNoRuleDecides() throws IOException {
    post(fixture("PreToolUse-Bash.json"))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.verdict", equalTo("none"))
        .body("policy", not(hasKey("reason")))
        .body("policy", hasKey("ruleId"))
        .body("policy.ruleId", nullValue())
        .body("policy.mode", equalTo("enforce"))
        .body("policy.version", equalTo("2026-12-07.1"))
        .body("policy.sha256", equalTo(shippedSha()));
  }

  @Test
  void shouldDenyRecordedEnvReadWithReasonNamingRuleAndAlternative() throws IOException {
    post(fixture("PreToolUse-Read.json"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body("hookSpecificOutput.permissionDecisionReason", containsString("secret-env-files"))
        .body(
            "hookSpecificOutput.permissionDecisionReason",
            containsString("/home/claude-user/workspace/.env"))
        .body("hookSpecificOutput.permissionDecisionReason", containsString("Instead"))
        .body("policy.ruleId", equalTo("secret-env-files"));
  }

  @Test
  void shouldDenyDestructiveCommandWith200NotAnErrorStatus() throws IOException {
    post(withCommand("PreToolUse-Bash.json", "cd /tmp && sudo bash -c 'rm -rf /etc'"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body("hookSpecificOutput.permissionDecisionReason", containsString("'rm -rf /etc'"))
        .body("policy.ruleId", equalTo("rm-recursive-outside-workspace"));
  }

  @Test
  void shouldAskForForcePush() throws IOException {
    post(withCommand("PreToolUse-Bash.json", "git push --force"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("ask"))
        .body("policy.ruleId", equalTo("git-push-force"));
  }

  @Test
  void shouldAnswerPermissionRequestInItsOwnShape() throws IOException {
    post(fixture("PermissionRequest-Bash.json"))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.verdict", equalTo("none"));
    post(withCommand("PermissionRequest-Bash.json", "rm -rf ~"))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.decision.behavior", equalTo("deny"))
        .body(
            "hookSpecificOutput.decision.message", containsString("rm-recursive-outside-workspace"))
        .body("policy.verdict", equalTo("deny"));
    post(withCommand("PermissionRequest-Bash.json", "git reset --hard"))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.verdict", equalTo("ask"));
  }

  @Test
  void shouldAcceptEveryRecordedToolFixture() throws IOException {
    for (String name :
        new String[] {
          "PreToolUse-Agent.json",
          "PreToolUse-Edit.json",
          "PreToolUse-Write.json",
          "PreToolUse-in-subagent.json",
          "PreToolUse-Bash-in-subagent.json",
          "PermissionRequest-Write.json",
          "PermissionRequest.json",
          "PreToolUse.json"
        }) {
      post(fixture(name))
          .then()
          .statusCode(200)
          .body("policy.verdict", org.hamcrest.Matchers.oneOf("none", "allow", "ask", "deny"));
    }
  }

  @Test
  void shouldDecideBatchInOrder() throws IOException {
    String body =
        "{\"inputs\":["
            + fixture("PreToolUse-Bash.json")
            + ","
            + withCommand("PreToolUse-Bash.json", "rm -rf /")
            + ","
            + withCommand("PreToolUse-Bash.json", "git clean -fdx")
            + "]}";
    given()
        .urlEncodingEnabled(false)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/decisions:batch")
        .then()
        .statusCode(200)
        .body("results.policy.verdict", equalTo(Arrays.asList("none", "deny", "ask")));
  }

  @Test
  void shouldRefuseBatchWithBadInputNamingItsIndex() throws IOException {
    String body = "{\"inputs\":[" + fixture("PreToolUse-Bash.json") + ",{\"tool_name\":7}]}";
    given()
        .urlEncodingEnabled(false)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/decisions:batch")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].index", equalTo(1))
        .body("errors[0].reason", containsString("tool_name"));
  }

  @Test
  void shouldServeActivePolicyWithSourceVersionAndSha() throws IOException {
    String source = Files.readString(Path.of("../policies/default-policy.yaml"));
    given()
        .get("/v1/policy")
        .then()
        .statusCode(200)
        .body("source", equalTo(source))
        .body("version", equalTo("2026-12-07.1"))
        .body("sha256", equalTo(shippedSha()))
        .body("mode", equalTo("enforce"))
        .body("origin", equalTo("classpath:default"))
        .body("loadedAt", not(nullValue()));
  }

  @Test
  void shouldRefuseBodiesThatAreNotJson() {
    assertProblem(post("this is not json"), 400, "not valid UTF-8 JSON");
    assertProblem(post(""), 400, "empty");
    assertProblem(post("{\"tool_name\":\"Bash\"} trailing"), 400, "JSON");
  }

  @Test
  void shouldRefuseWrongTypesNamingTheField() {
    assertProblem(post("[]"), 400, "JSON object");
    assertProblem(
        post("{\"tool_name\":\"Bash\",\"tool_input\":\"rm -rf /\"}"),
        400,
        "tool_input must be an object");
    assertProblem(post("{\"tool_name\":42,\"tool_input\":{}}"), 400, "tool_name must be a string");
    assertProblem(
        post("{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":[\"rm\"]}}"),
        400,
        "tool_input.command");
    assertProblem(
        post("{\"tool_name\":\"Read\",\"tool_input\":{},\"cwd\":5}"), 400, "cwd must be a string");
    assertProblem(
        post("{\"tool_name\":\"Read\",\"tool_input\":{},\"cwd\":\"relative\"}"), 400, "absolute");
    assertProblem(
        post("{\"hook_event_name\":\"Stop\",\"tool_name\":\"Read\",\"tool_input\":{}}"),
        400,
        "PreToolUse or PermissionRequest");
  }

  /**
   * Bodies over the event loop's share take the other path through {@code DecisionResource}; only
   * the answers are compared here, not which thread gave them.
   */
  @Test
  void shouldAnswerInputsTooLargeForTheEventLoopAsItAnswersSmallOnes() throws IOException {
    String padding = "x".repeat(DecisionResource.EVENT_LOOP_MAX_BODY_BYTES);
    post(padded(fixture("PreToolUse-Read.json"), padding))
        .then()
        .statusCode(200)
        .body("hookSpecificOutput.permissionDecision", equalTo("deny"))
        .body("policy.ruleId", equalTo("secret-env-files"));
    post(padded(fixture("PreToolUse-Bash.json"), padding))
        .then()
        .statusCode(200)
        .body("$", not(hasKey("hookSpecificOutput")))
        .body("policy.verdict", equalTo("none"));
    assertProblem(
        post("{\"tool_name\":42,\"tool_input\":{},\"padding\":\"" + padding + "\"}"),
        400,
        "tool_name must be a string");
  }

  /**
   * The input with a field Claude Code may add one day, large enough to take the body past the
   * event loop's share.
   */
  private static String padded(String input, String padding) throws IOException {
    ObjectNode node = (ObjectNode) JSON.readTree(input);
    node.put("padding", padding);
    return node.toString();
  }

  @Test
  void shouldRefuseTenMegabyteBody() {
    byte[] big = new byte[10 * 1024 * 1024];
    Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    Response response = given().contentType(ContentType.JSON).body(big).post("/v1/decisions");
    assertProblem(response, 413, "limit");
  }

  @Test
  void shouldRefuseDeeplyNestedJson() {
    String deep =
        "{\"tool_name\":\"Read\",\"tool_input\":{\"x\":"
            + "[".repeat(5000)
            + "]".repeat(5000)
            + "}}";
    assertProblem(post(deep), 400, "limit");
  }

  @Test
  void shouldRefuseInvalidUtf8() {
    byte[] prefix =
        "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls "
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(prefix, prefix.length + 4);
    body[prefix.length] = (byte) 0xC3;
    body[prefix.length + 1] = (byte) 0x28;
    body[prefix.length + 2] = '"';
    body[prefix.length + 3] = '}';
    byte[] full = Arrays.copyOf(body, body.length + 1);
    full[body.length] = '}';
    Response response = given().contentType(ContentType.JSON).body(full).post("/v1/decisions");
    assertProblem(response, 400, "UTF-8");
  }

  @Test
  void shouldAnswerUnknownPathsAsProblems() {
    assertProblem(given().get("/v1/nothing-here"), 404, "");
  }

  public static void assertProblem(Response response, int status, String detailContains) {
    response
        .then()
        .statusCode(status)
        .contentType("application/problem+json")
        .body("status", equalTo(status))
        .body("title", not(nullValue()))
        .body("type", containsString("https://claude-telemetry.dev/problems/"));
    assertThat(response.jsonPath().getString("detail"))
        .contains(detailContains)
        .doesNotContain("Exception")
        .doesNotContain("at dev.");
  }

  public static String shippedSha() {
    try {
      return PolicyLoader.sha256(Files.readAllBytes(Path.of("../policies/default-policy.yaml")));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
