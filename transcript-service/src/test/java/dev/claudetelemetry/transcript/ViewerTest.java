package dev.claudetelemetry.transcript;

import static dev.claudetelemetry.transcript.Fixtures.bytes;
import static dev.claudetelemetry.transcript.Fixtures.postEvents;
import static dev.claudetelemetry.transcript.Fixtures.upload;
import static dev.claudetelemetry.transcript.Fixtures.writer;
import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.transcript.auth.TokenAuthenticationMechanism;
import dev.claudetelemetry.transcript.sessions.TranscriptExport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The viewer as a browser shows it: real Chromium against the running test server. */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ViewerTest {
  private static final String SESSION = "a320af64-c3ae-416a-ac6f-2c12d29214ba";
  private static final String WITH_SUBAGENT = "10e2e2fc-6c77-4c04-b459-2f302db7073f";

  @TestHTTPResource("/")
  URL root;

  private void storeRecordedSessions() throws Exception {
    upload(SESSION, "main", 0, bytes("transcripts/session-with-denials.jsonl"));
    ObjectNode rmDenied =
        HookEventsTest.event(
            SESSION,
            "PreToolUse-Bash.json",
            "{\"verdict\":\"deny\",\"ruleId\":\"rm-recursive-outside-workspace\",\"mode\":\"enforce\",\"source\":\"policy\","
                + "\"reason\":\"Blocked by rule rm-recursive-outside-workspace: 'rm -rf ./victim' deletes recursively\"}");
    ObjectNode input = (ObjectNode) rmDenied.get("event");
    input.put("tool_use_id", "toolu_0001");
    ((ObjectNode) input.get("tool_input")).put("command", "rm -rf ./victim");
    ObjectNode envDenied =
        HookEventsTest.event(
            SESSION,
            "PreToolUse-Read.json",
            "{\"verdict\":\"deny\",\"ruleId\":\"read-secret-files\",\"mode\":\"enforce\",\"source\":\"policy\","
                + "\"reason\":\"Blocked by rule read-secret-files: .env holds secrets\"}");
    ((ObjectNode) envDenied.get("event")).put("tool_use_id", "toolu_0002");
    // The first call: no rule decided, a rule in dry run would have denied it.
    ObjectNode dryRun =
        HookEventsTest.event(
            SESSION,
            "PreToolUse-Bash.json",
            "{\"verdict\":\"none\",\"ruleId\":null,\"mode\":\"enforce\",\"source\":\"policy\","
                + "\"dryrun\":[{\"ruleId\":\"list-hidden-files\",\"verdict\":\"deny\","
                + "\"reason\":\"Would have been blocked by policy rule list-hidden-files (dry run,"
                + " not enforced): 'ls -la'\"}]}");
    ((ObjectNode) dryRun.get("event")).put("tool_use_id", "toolu_0000");
    postEvents(HookEventsTest.batch(rmDenied, envDenied, dryRun)).then().statusCode(200);

    upload(WITH_SUBAGENT, "main", 0, bytes("transcripts/session-with-subagents.jsonl"));
    // The recorded subagent file belongs to another run; stored under the agent id this main
    // transcript launched.
    upload(WITH_SUBAGENT, "agent-ada04c885a0344e5c", 0, bytes("transcripts/subagent.jsonl"));
  }

  private String url(String path) {
    String base = root.toString().replaceAll("/$", "");
    return base + path + (path.contains("?") ? "&" : "?") + "token=" + Fixtures.READ;
  }

  @Test
  void shouldShowTheConversationToolCallsAndDenialsOfASession() throws Exception {
    storeRecordedSessions();
    String dom = Chromium.dumpDom(url("/sessions/" + SESSION));

    assertThat(dom)
        .contains("Session <code>" + SESSION + "</code>")
        .contains("do the thing")
        .contains("rm -rf ./victim")
        .contains("denied by rm-recursive-outside-workspace")
        .contains("Blocked by rule read-secret-files: .env holds secrets")
        .contains("would have denied by list-hidden-files")
        .contains(
            "Would have been blocked by policy rule list-hidden-files (dry run, not enforced)")
        .contains("claude-opus-5-5")
        .contains("All done.");
    Chromium.screenshot(
        url("/sessions/" + SESSION), Path.of("target/viewer/viewer.png"), 1100, 1500);
  }

  @Test
  void shouldShowATranscriptCutAfterItsUpload() throws Exception {
    String session = Fixtures.newSessionId();
    byte[] transcript = bytes("transcripts/session-with-denials.jsonl");
    upload(session, "main", 0, transcript).then().statusCode(200);
    // What the sync sends for the file after the agent cut it to its first 100 bytes.
    writer()
        .contentType("application/octet-stream")
        .header("X-Transcript-Size", "100")
        .body(new byte[0])
        .post("/v1/transcripts/{s}/files/main?offset=" + transcript.length, session)
        .then()
        .statusCode(409);

    String dom = Chromium.dumpDom(url("/sessions/" + session));

    assertThat(dom)
        .contains("Transcript rewritten after upload")
        .contains(">shrank<")
        .contains(transcript.length + " bytes")
        .contains("100 bytes")
        .contains("(generation 2)");
    // A session nobody tampered with shows no such section.
    storeRecordedSessions();
    assertThat(Chromium.dumpDom(url("/sessions/" + SESSION)))
        .doesNotContain("Transcript rewritten after upload");
  }

  @Test
  void shouldNestASubagentUnderTheCallThatStartedIt() throws Exception {
    storeRecordedSessions();
    String dom = Chromium.dumpDom(url("/sessions/" + WITH_SUBAGENT));

    int agentCall = dom.indexOf("tool call · Task");
    int nested = dom.indexOf("subagent <code>agent-ada04c885a0344e5c</code>");
    int after = dom.indexOf("All done.");
    assertThat(agentCall).isPositive();
    assertThat(nested).isGreaterThan(agentCall).isLessThan(after);
    assertThat(dom.substring(nested, after)).contains("say hi").contains("sub done");
  }

  @Test
  void shouldListSessionsWithFiltersAndHighlightSearchMatches() throws Exception {
    storeRecordedSessions();
    String dom = Chromium.dumpDom(url("/sessions?hadDenials=true&q=victim"));

    assertThat(dom)
        .contains("href=\"/sessions/" + SESSION + "\"")
        .doesNotContain("href=\"/sessions/" + WITH_SUBAGENT + "\"")
        .contains("<mark>victim</mark>");
  }

  @Test
  void shouldOpenTheFilesLinksInABrowserWithTheViewersCookie() throws Exception {
    storeRecordedSessions();
    String base = root.toString().replaceAll("/$", "");
    String page = "/sessions/" + WITH_SUBAGENT;
    try (ChromiumBrowser browser = ChromiumBrowser.start()) {
      browser.open(url(page));
      assertThat(browser.evaluate("location.href")).isEqualTo(base + page);

      browser.click("a[href$='/transcript?file=agent-ada04c885a0344e5c']");
      browser.waitUntil(
          "location.pathname.endsWith('/transcript') && document.readyState === 'complete'");
      assertThat(browser.evaluate("document.body.innerText").strip().lines())
          .containsExactlyElementsOf(
              new String(bytes("transcripts/subagent.jsonl"), UTF_8).strip().lines().toList());

      // Back on the page by its plain address: the cookie alone lets the browser in.
      browser.open(base + page);
      browser.click("a[href$='/transcript?file=main']");
      browser.waitUntil(
          "location.pathname.endsWith('/transcript') && document.readyState === 'complete'");
      assertThat(browser.evaluate("document.body.innerText").strip().lines())
          .containsExactlyElementsOf(
              new String(bytes("transcripts/session-with-subagents.jsonl"), UTF_8)
                  .strip()
                  .lines()
                  .toList());
    }
  }

  @Test
  void shouldServeTheFilesLinksToTheReadTokenOnly() throws Exception {
    storeRecordedSessions();
    String file = "/sessions/" + SESSION + "/transcript?file=main";

    given()
        .cookie(TokenAuthenticationMechanism.VIEWER_COOKIE, Fixtures.READ)
        .get(file)
        .then()
        .statusCode(200)
        .contentType(containsString("text/plain"))
        .body(containsString("do the thing"));
    given()
        .header("Authorization", "Bearer " + Fixtures.READ)
        .get("/sessions/" + SESSION + "/transcript?file=*")
        .then()
        .statusCode(200)
        .header(TranscriptExport.FILES_HEADER, "main=48");
    given()
        .cookie(TokenAuthenticationMechanism.VIEWER_COOKIE, Fixtures.WRITE)
        .get(file)
        .then()
        .statusCode(401);
    given().get(file).then().statusCode(401);
    // The read API keeps to its bearer header; the cookie is the viewer's.
    given()
        .cookie(TokenAuthenticationMechanism.VIEWER_COOKIE, Fixtures.READ)
        .get("/v1/sessions/" + SESSION + "/transcript?file=main")
        .then()
        .statusCode(401);
  }
}
