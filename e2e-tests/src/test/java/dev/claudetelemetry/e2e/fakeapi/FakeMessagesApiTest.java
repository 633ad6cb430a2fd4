package dev.claudetelemetry.e2e.fakeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.e2e.claude.ClaudeCli;
import dev.claudetelemetry.e2e.claude.ClaudeResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeMessagesApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static FakeMessagesApi api;

  @BeforeAll
  static void start() {
    api = FakeMessagesApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void shouldStreamTheScriptedToolUseThenTheFinalTextByConversationLength() throws Exception {
    api.script("sse-shape", List.of(Turn.bash("ls -la"), Turn.finalText("all listed")));
    String firstUser =
        "{\"role\":\"user\",\"content\":\"" + FakeMessagesApi.tag("sse-shape") + " list files\"}";

    List<JsonNode> first = events(post("{\"stream\":true,\"messages\":[" + firstUser + "]}"));
    assertThat(first)
        .extracting(e -> e.path("type").asText())
        .containsExactly(
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop");
    JsonNode toolUse = first.get(1).path("content_block");
    assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
    assertThat(toolUse.path("name").asText()).isEqualTo("Bash");
    assertThat(toolUse.path("id").asText()).startsWith("toolu_");
    assertThat(
            JSON.readTree(first.get(2).path("delta").path("partial_json").asText())
                .path("command")
                .asText())
        .isEqualTo("ls -la");
    assertThat(first.get(4).path("delta").path("stop_reason").asText()).isEqualTo("tool_use");

    String second =
        "{\"stream\":true,\"messages\":["
            + firstUser
            + ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\",\"input\":{}}]}"
            + ",{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"is_error\":true,"
            + "\"content\":\"PreToolUse:Bash hook error: no\"}]}]}";
    List<JsonNode> next = events(post(second));
    assertThat(next.get(2).path("delta").path("text").asText()).isEqualTo("all listed");
    assertThat(next.get(4).path("delta").path("stop_reason").asText()).isEqualTo("end_turn");

    assertThat(api.requests("sse-shape")).hasSize(2);
    assertThat(api.toolResults("sse-shape"))
        .containsExactly(
            new RecordedRequest.ToolResult("t1", "PreToolUse:Bash hook error: no", true));
  }

  @Test
  void shouldAnswerUntaggedSideQueriesWithTextAndNotRecordThemUnderAScenario() throws Exception {
    String body =
        post("{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"summarise\"}]}");
    JsonNode message = JSON.readTree(body);
    assertThat(message.path("content").get(0).path("type").asText()).isEqualTo("text");
    assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(api.requests()).anyMatch(r -> r.scenario() == null);
  }

  @Test
  void shouldDriveTheRealClaudeCodeCliThroughAToolCall(@TempDir Path dir) throws Exception {
    assertThat(ClaudeCli.installedVersion())
        .as("the pinned Claude Code CLI")
        .isEqualTo(ClaudeCli.pinnedVersion());
    api.script(
        "real-cli",
        List.of(
            Turn.bash("echo fake-api-works > proof.txt && cat proof.txt"),
            Turn.finalText("wrote the proof")));

    ClaudeResult result =
        ClaudeCli.run(
            ClaudeCli.Run.of(
                dir.resolve("home"),
                dir.resolve("work"),
                api.baseUrl(),
                FakeMessagesApi.tag("real-cli") + " write the proof"));

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.json().path("result").asText()).isEqualTo("wrote the proof");
    assertThat(Files.readString(dir.resolve("work/proof.txt"))).isEqualTo("fake-api-works\n");
    assertThat(api.toolResults("real-cli"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.isError()).isFalse();
              assertThat(r.content()).contains("fake-api-works");
            });
  }

  private static String post(String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/messages?beta=true"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static List<JsonNode> events(String sse) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ")) {
        events.add(JSON.readTree(line.substring(6)));
      }
    }
    return events;
  }
}
