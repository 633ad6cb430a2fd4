package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.newSessionId;
import static dev.claudetelemetry.transcript.Fixtures.postEvents;
import static dev.claudetelemetry.transcript.Fixtures.reader;
import static dev.claudetelemetry.transcript.Fixtures.text;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.toolcalls.ToolCallsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v1/tool-calls}: the recorded PreToolUse calls of a window in keyset pages, oldest
 * first, each with its stored (redacted) hook input and recorded verdict; read token only.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // A window of its own: the other test classes store events in 2026 in the same database.
  private static final String SINCE = "2031-03-01T00:00:00Z";
  private static final String UNTIL = "2031-03-02T00:00:00Z";

  private final List<String> windowIds = new ArrayList<>();
  private String session;

  // Once per class, but after Quarkus started (a @BeforeAll runs before RestAssured knows the
  // port).
  @BeforeEach
  void recordHistory() throws Exception {
    if (session != null) {
      return;
    }
    session = newSessionId();
    ArrayNode events = JSON.createArrayNode();
    // Seven PreToolUse calls inside the window (two at the same instant: the id orders them), one
    // PostToolUse inside it and one PreToolUse before it, stored out of order.
    String[][] rows = {
      {"tc-g", "2031-03-01T12:00:00.000007Z", "bob", "PreToolUse-Bash.json"},
      {"tc-a", "2031-03-01T00:00:00Z", "alice", "PreToolUse-Bash.json"},
      {"tc-c", "2031-03-01T01:00:00.5Z", "alice", "PreToolUse-Read.json"},
      {"tc-b", "2031-03-01T01:00:00.5Z", "bob", "PreToolUse-Bash.json"},
      {"tc-d", "2031-03-01T02:00:00Z", "alice", "PreToolUse-Bash.json"},
      {"tc-e", "2031-03-01T03:00:00Z", "bob", "PreToolUse-Read.json"},
      {"tc-f", "2031-03-01T04:00:00.123456Z", "alice", "PreToolUse-Bash.json"},
      {"tc-post", "2031-03-01T05:00:00Z", "alice", "PostToolUse-Bash.json"},
      {"tc-before", "2031-02-28T23:59:59.999999Z", "alice", "PreToolUse-Bash.json"},
    };
    for (String[] row : rows) {
      ObjectNode hook = (ObjectNode) JSON.readTree(text("hooks/" + row[3]));
      hook.put("session_id", session);
      if (row[0].equals("tc-d")) {
        ((ObjectNode) hook.get("tool_input"))
            .put(
                "command",
                "curl -H 'Authorization: Bearer ghp_0123456789abcdefghijABCDEFGHIJ012345' x");
      }
      ObjectNode item = events.addObject();
      item.put("id", row[0]);
      item.put("receivedAt", row[1]);
      item.put("user", row[2]);
      item.set("event", hook);
      if (!row[0].equals("tc-post")) {
        item.set(
            "decision",
            JSON.readTree(
                row[0].equals("tc-c")
                    ? "{\"verdict\":\"deny\",\"ruleId\":\"secret-env-files\",\"mode\":\"enforce\","
                        + "\"source\":\"policy\",\"reason\":\"r\"}"
                    : "{\"verdict\":\"none\",\"mode\":\"enforce\",\"source\":\"policy\"}"));
      }
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("events", events);
    postEvents(body.toString()).then().statusCode(200);
    windowIds.addAll(List.of("tc-a", "tc-b", "tc-c", "tc-d", "tc-e", "tc-f", "tc-g"));
  }

  static List<JsonNode> page(String query) throws Exception {
    String body =
        reader()
            .get("/v1/tool-calls?" + query)
            .then()
            .statusCode(200)
            .contentType("application/x-ndjson")
            .extract()
            .asString();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (!line.isEmpty()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  @Test
  void shouldPageThroughTheWindowOldestFirstWithTheCursorOfTheLastRow() throws Exception {
    List<String> seen = new ArrayList<>();
    String after = "";
    int pages = 0;
    while (true) {
      List<JsonNode> rows =
          page(
              "since="
                  + SINCE
                  + "&until="
                  + UNTIL
                  + "&limit=3"
                  + (after.isEmpty() ? "" : "&after=" + after));
      pages++;
      rows.forEach(row -> seen.add(row.get("id").asText()));
      if (rows.size() < 3) {
        break;
      }
      JsonNode last = rows.get(rows.size() - 1);
      after = last.get("receivedAt").asText() + "," + last.get("id").asText();
    }

    assertThat(seen).containsExactlyElementsOf(windowIds);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void shouldCarryTheStoredHookInputAndTheRecordedVerdict() throws Exception {
    List<JsonNode> rows = page("since=" + SINCE + "&until=" + UNTIL);

    JsonNode c = rows.get(2);
    assertThat(c.get("id").asText()).isEqualTo("tc-c");
    assertThat(c.get("receivedAt").asText()).isEqualTo("2031-03-01T01:00:00.500Z");
    assertThat(c.get("sessionId").asText()).isEqualTo(session);
    assertThat(c.get("user").asText()).isEqualTo("alice");
    assertThat(c.get("tool").asText()).isEqualTo("Read");
    assertThat(c.get("verdict").asText()).isEqualTo("deny");
    assertThat(c.get("ruleId").asText()).isEqualTo("secret-env-files");
    assertThat(c.get("mode").asText()).isEqualTo("enforce");
    assertThat(c.get("source").asText()).isEqualTo("policy");
    assertThat(c.get("input").get("hook_event_name").asText()).isEqualTo("PreToolUse");
    assertThat(c.get("input").get("tool_name").asText()).isEqualTo("Read");
    assertThat(c.get("input").get("tool_input").get("file_path").asText()).endsWith(".env");
    assertThat(rows.get(0).get("ruleId").isNull()).isTrue();
    assertThat(rows.get(6).get("receivedAt").asText()).isEqualTo("2031-03-01T12:00:00.000007Z");
    // What is replayed is what was stored: redacted.
    assertThat(rows.get(3).get("input").get("tool_input").get("command").asText())
        .contains("[REDACTED:")
        .doesNotContain("ghp_0123456789");
  }

  @Test
  void shouldFilterByUserAndOpenEndedWindow() throws Exception {
    assertThat(page("since=" + SINCE + "&until=" + UNTIL + "&user=bob"))
        .extracting(row -> row.get("id").asText())
        .containsExactly("tc-b", "tc-e", "tc-g");
    assertThat(page("since=2031-02-28T23:59:59.999999Z&limit=2"))
        .extracting(row -> row.get("id").asText())
        .containsExactly("tc-before", "tc-a");
  }

  @Test
  void shouldRefuseBadParametersWithAReason() {
    reader()
        .get("/v1/tool-calls")
        .then()
        .statusCode(400)
        .body("detail", containsString("'since' is required"));
    reader()
        .get("/v1/tool-calls?since=" + UNTIL + "&until=" + SINCE)
        .then()
        .statusCode(400)
        .body("detail", containsString("later than"));
    reader().get("/v1/tool-calls?since=" + SINCE + "&limit=10001").then().statusCode(400);
    reader()
        .get("/v1/tool-calls?since=" + SINCE + "&after=yesterday")
        .then()
        .statusCode(400)
        .body("detail", containsString("'after'"));
    reader().get("/v1/tool-calls?since=soon").then().statusCode(400);
  }

  @Test
  void shouldAnswerOnlyTheReadToken() {
    given().get("/v1/tool-calls?since=" + SINCE).then().statusCode(401);
    writer().get("/v1/tool-calls?since=" + SINCE).then().statusCode(401);
    given()
        .header("Authorization", "Bearer not-a-token")
        .get("/v1/tool-calls?since=" + SINCE)
        .then()
        .statusCode(401);
  }

  @Test
  void shouldParseOrRefuseEveryRandomCursor() {
    Random random = new Random();
    String alphabet = "0123456789-:.TZ,abc_/ \u00e9\u0000+";
    for (int i = 0; i < 5000; i++) {
      StringBuilder after = new StringBuilder(i % 2 == 0 ? "2031-03-01T00:00:00Z," : "");
      for (int n = random.nextInt(40); n > 0; n--) {
        after.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      try {
        var cursor = ToolCallsResource.cursor(after.toString());
        assertThat(cursor == null || cursor.id().matches("[A-Za-z0-9._:-]{1,128}")).isTrue();
      } catch (ProblemException expected) {
        assertThat(expected.status()).isEqualTo(400);
      }
    }
    assertThatThrownBy(() -> ToolCallsResource.cursor("x".repeat(300)))
        .isInstanceOf(ProblemException.class);
  }
}
