package dev.claudetelemetry.e2e.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.e2e.fakeapi.Turn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketRelayTest {

  @Test
  void shouldCarryRequestsAndStreamedAnswersThroughTheUnixSocket(@TempDir Path dir)
      throws Exception {
    Path socket = dir.resolve("api.sock");
    try (FakeMessagesApi api = FakeMessagesApi.start();
        SocketRelay hostSide = SocketRelay.fromUnixSocket(socket, api.port());
        SocketRelay podSide = SocketRelay.fromTcpPort(0, socket)) {
      api.script("relay", List.of(Turn.bash("echo relayed")));
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 3; i++) {
        HttpRequest request =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + podSide.tcpPort() + "/v1/messages"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"stream\":true,\"messages\":[{\"role\":\"user\","
                            + "\"content\":\""
                            + FakeMessagesApi.tag("relay")
                            + "\"}]}"))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
            .contains("echo relayed")
            .endsWith("\"type\":\"message_stop\"}\n\n");
      }
      assertThat(api.requests("relay")).hasSize(3);
    }
  }
}
