package dev.claudetelemetry.transcript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium kept running for several steps, driven over the DevTools protocol: one
 * browser profile, so the cookie a page sets is sent with the next request, as when a person clicks
 * through the viewer. {@link Chromium} is the one-page-per-run counterpart.
 */
final class ChromiumBrowser implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_MILLIS = 30_000;

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private ChromiumBrowser(Process process, Path profile, String pageSocket) {
    this.process = process;
    this.profile = profile;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(pageSocket), new Replies())
            .join();
  }

  static ChromiumBrowser start() throws IOException, InterruptedException {
    Path profile = Chromium.newProfile();
    List<String> command = Chromium.headless(profile);
    command.addAll(
        List.of(
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    // Chromium writes the port it picked to this file once DevTools listens.
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!(Files.isRegularFile(portFile) && Files.readAllLines(portFile).size() >= 2)) {
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("chromium did not open its DevTools port");
      }
      Thread.sleep(50);
    }
    String port = Files.readAllLines(portFile).get(0).trim();
    String targets =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (JsonNode target : JSON.readTree(targets)) {
      if ("page".equals(target.path("type").asText())) {
        return new ChromiumBrowser(process, profile, target.get("webSocketDebuggerUrl").asText());
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("chromium has no page to drive: " + targets);
  }

  /** Opens {@code url} in the page and waits until it has loaded. */
  void open(String url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url));
    waitUntil("document.readyState === 'complete' && location.href !== 'about:blank'");
  }

  /** Clicks the first element matching {@code selector}; fails if there is none. */
  void click(String selector) throws Exception {
    String quoted = JSON.writeValueAsString(selector);
    String found =
        evaluate(
            "(() => { const e = document.querySelector("
                + quoted
                + "); if (!e) return 'none'; e.click(); return 'clicked'; })()");
    if (!"clicked".equals(found)) {
      throw new AssertionError("nothing on " + evaluate("location.href") + " matches " + selector);
    }
  }

  /** Waits until {@code condition} (JavaScript) is true in the page. */
  void waitUntil(String condition) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!"true".equals(evaluate("String(" + condition + ")"))) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "the page at " + evaluate("location.href") + " never satisfied " + condition);
      }
      Thread.sleep(50);
    }
  }

  /** The value of a JavaScript expression in the page, as a string. */
  String evaluate(String expression) throws Exception {
    ObjectNode params =
        JSON.createObjectNode().put("expression", expression).put("returnByValue", true);
    JsonNode result = call("Runtime.evaluate", params);
    return result.path("result").path("value").asText();
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).join();
    JsonNode answer = reply.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** Collects DevTools replies (which may arrive in several frames) and hands each to its call. */
  private final class Replies implements WebSocket.Listener {
    private final StringBuilder frames = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      frames.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(frames.toString());
          CompletableFuture<JsonNode> reply =
              message.has("id") ? pending.remove(message.get("id").asInt()) : null;
          if (reply != null) {
            reply.complete(message);
          }
        } catch (IOException e) {
          pending.values().forEach(f -> f.completeExceptionally(e));
        }
        frames.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  @Override
  public void close() throws Exception {
    socket.abort();
    // Chromium's helpers (renderer, GPU, crash handler) can outlive the browser process for a
    // moment and still write into the profile; they are ended too before the profile is removed.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    for (ProcessHandle helper : helpers) {
      helper.destroyForcibly();
    }
    for (ProcessHandle helper : helpers) {
      try {
        helper.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // Left to the machine: a helper that ignores SIGKILL for 10 s is not the test's to
        // wait for.
      }
    }
    Chromium.deleteTree(profile);
  }
}
