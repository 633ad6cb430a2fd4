package dev.claudetelemetry.e2e.fakeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Anthropic Messages API for the real Claude Code CLI: answers {@code POST /v1/messages}
 * with the server-sent events Claude Code 2.1.330 expects (see testdata/claude-code/README.md),
 * following a script.
 *
 * <p>Usage: {@code start()} (or {@code start(host, port)}), {@code script("my-tag",
 * List.of(Turn.bash("ls"), Turn.finalText("done")))}, then run {@code claude -p "[scenario:my-tag]
 * ..."} with {@code ANTHROPIC_BASE_URL=baseUrl()}; afterwards {@code requests("my-tag")} holds what
 * Claude Code sent.
 *
 * <p>A request belongs to the scenario whose tag {@code [scenario:<tag>]} appears in its first user
 * message, so concurrent sessions each follow their own script. Which turn to answer is the number
 * of assistant messages already in the conversation: stateless, so retries and concurrent sessions
 * cannot shift the script. Requests without a known tag (Claude Code's own side queries) get a
 * short text answer.
 */
public final class FakeMessagesApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SCENARIO = Pattern.compile("\\[scenario:([A-Za-z0-9._-]+)]");
  private static final String MODEL = "claude-opus-5-5";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, List<Turn>> scripts = new ConcurrentHashMap<>();
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final String idPrefix = Long.toHexString(System.nanoTime());

  private FakeMessagesApi(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts on 127.0.0.1 and a free port. */
  public static FakeMessagesApi start() {
    return start("127.0.0.1", 0);
  }

  public static FakeMessagesApi start(String host, int port) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
      ExecutorService executor = Executors.newFixedThreadPool(16);
      FakeMessagesApi api = new FakeMessagesApi(server, executor);
      server.createContext("/", api::handle);
      server.setExecutor(executor);
      server.start();
      return api;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the fake Messages API", e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** For {@code ANTHROPIC_BASE_URL}. */
  public String baseUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  /** The tag to put in a prompt so its session follows {@code scenario}'s script. */
  public static String tag(String scenario) {
    return "[scenario:" + scenario + "]";
  }

  /**
   * Registers the assistant turns for {@code scenario}, in order. After the last one (or if it is
   * not a final text) the session is ended with a final text.
   */
  public void script(String scenario, List<Turn> turns) {
    if (!SCENARIO.matcher(tag(scenario)).matches()) {
      throw new IllegalArgumentException("scenario tags are [A-Za-z0-9._-]+: " + scenario);
    }
    scripts.put(scenario, List.copyOf(turns));
  }

  /**
   * A point in a scenario's conversation where the test acts between two turns: the request for
   * turn {@code turn} (0-based) is recorded and then held, unanswered, until {@link
   * Hold#release()}. Claude Code has run every hook of the turns before it by then (they end before
   * it asks the model again), except async ones.
   */
  public Hold hold(String scenario, int turn) {
    Hold hold = new Hold();
    holds.put(scenario + "#" + turn, hold);
    return hold;
  }

  /** See {@link #hold(String, int)}. */
  public static final class Hold {
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until the held request has arrived; false if it did not within {@code timeout}. */
    public boolean awaitReached(Duration timeout) throws InterruptedException {
      return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void release() {
      released.countDown();
    }

    private void pass() throws InterruptedException {
      reached.countDown();
      // Bounded, so a failed test cannot leave Claude Code waiting past its own timeout.
      released.await(150, TimeUnit.SECONDS);
    }
  }

  /** Every request received, in arrival order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** The requests of one scenario, in arrival order. */
  public List<RecordedRequest> requests(String scenario) {
    return requests.stream().filter(r -> scenario.equals(r.scenario())).toList();
  }

  /** Every tool result Claude Code sent back in {@code scenario}, in order. */
  public List<RecordedRequest.ToolResult> toolResults(String scenario) {
    // Later requests repeat the whole conversation: keep each tool_use_id once.
    List<RecordedRequest.ToolResult> all = new ArrayList<>();
    for (RecordedRequest request : requests(scenario)) {
      for (RecordedRequest.ToolResult result : request.toolResults()) {
        if (all.stream().noneMatch(r -> r.toolUseId().equals(result.toolUseId()))) {
          all.add(result);
        }
      }
    }
    return all;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(
            exchange,
            404,
            "application/json",
            "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\"}}");
        return;
      }
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      if (path.endsWith("/count_tokens")) {
        respond(exchange, 200, "application/json", "{\"input_tokens\":42}");
        return;
      }
      if (!path.equals("/v1/messages")) {
        respond(
            exchange,
            404,
            "application/json",
            "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\"}}");
        return;
      }
      String scenario = scenarioOf(body);
      RecordedRequest request = new RecordedRequest(path, scenario, body);
      requests.add(request);
      Hold hold = scenario == null ? null : holds.get(scenario + "#" + request.assistantTurns());
      if (hold != null) {
        hold.pass();
      }
      Turn turn = nextTurn(scenario, request.assistantTurns());
      if (body.path("stream").asBoolean(false)) {
        respond(exchange, 200, "text/event-stream", sse(turn));
      } else {
        respond(exchange, 200, "application/json", JSON.writeValueAsString(message(turn, true)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      respond(
          exchange,
          500,
          "application/json",
          "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"fake API stopped\"}}");
    } catch (RuntimeException e) {
      respond(
          exchange,
          500,
          "application/json",
          "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"fake API failed\"}}");
    } finally {
      exchange.close();
    }
  }

  private Turn nextTurn(String scenario, int index) {
    List<Turn> script = scenario == null ? null : scripts.get(scenario);
    if (script == null || index >= script.size()) {
      return Turn.finalText("Done.");
    }
    return script.get(index);
  }

  private static String scenarioOf(JsonNode body) {
    for (JsonNode message : body.path("messages")) {
      if ("user".equals(message.path("role").asText())) {
        Matcher m = SCENARIO.matcher(RecordedRequest.textOf(message.path("content")));
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }

  /** The full assistant message; content blocks filled in only for the non-streaming answer. */
  private ObjectNode message(Turn turn, boolean withContent) {
    ObjectNode message = JSON.createObjectNode();
    message.put("id", "msg_" + idPrefix + "_" + ids.incrementAndGet());
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", MODEL);
    ArrayNode content = message.putArray("content");
    if (withContent) {
      blocks(turn).forEach(content::add);
      message.put("stop_reason", turn.isFinal() ? "end_turn" : "tool_use");
    } else {
      message.putNull("stop_reason");
    }
    message.putNull("stop_sequence");
    ObjectNode usage = message.putObject("usage");
    usage.put("input_tokens", 100);
    usage.put("output_tokens", withContent ? 20 : 1);
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", 0);
    return message;
  }

  private List<ObjectNode> blocks(Turn turn) {
    List<ObjectNode> blocks = new ArrayList<>();
    if (turn.isFinal()) {
      ObjectNode text = JSON.createObjectNode();
      text.put("type", "text");
      text.put("text", turn.text());
      blocks.add(text);
      return blocks;
    }
    for (Turn.ToolCall call : turn.toolCalls()) {
      ObjectNode toolUse = JSON.createObjectNode();
      toolUse.put("type", "tool_use");
      toolUse.put("id", "toolu_" + idPrefix + "_" + ids.incrementAndGet());
      toolUse.put("name", call.tool());
      toolUse.set("input", JSON.valueToTree(call.input()));
      blocks.add(toolUse);
    }
    return blocks;
  }

  private String sse(Turn turn) throws IOException {
    StringBuilder out = new StringBuilder();
    ObjectNode start = JSON.createObjectNode();
    start.put("type", "message_start");
    start.set("message", message(turn, false));
    event(out, start);
    List<ObjectNode> blocks = blocks(turn);
    for (int i = 0; i < blocks.size(); i++) {
      ObjectNode block = blocks.get(i);
      ObjectNode empty = block.deepCopy();
      ObjectNode delta = JSON.createObjectNode();
      if ("text".equals(block.path("type").asText())) {
        empty.put("text", "");
        delta.put("type", "text_delta");
        delta.put("text", block.path("text").asText());
      } else {
        empty.putObject("input");
        delta.put("type", "input_json_delta");
        delta.put("partial_json", JSON.writeValueAsString(block.path("input")));
      }
      event(
          out,
          JSON.createObjectNode()
              .put("type", "content_block_start")
              .put("index", i)
              .set("content_block", empty));
      event(
          out,
          JSON.createObjectNode()
              .put("type", "content_block_delta")
              .put("index", i)
              .set("delta", delta));
      event(out, JSON.createObjectNode().put("type", "content_block_stop").put("index", i));
    }
    ObjectNode messageDelta = JSON.createObjectNode();
    messageDelta.put("type", "message_delta");
    messageDelta
        .putObject("delta")
        .put("stop_reason", turn.isFinal() ? "end_turn" : "tool_use")
        .putNull("stop_sequence");
    messageDelta.putObject("usage").put("output_tokens", 20);
    event(out, messageDelta);
    event(out, JSON.createObjectNode().put("type", "message_stop"));
    return out.toString();
  }

  private static void event(StringBuilder out, ObjectNode data) throws IOException {
    out.append("event: ")
        .append(data.path("type").asText())
        .append('\n')
        .append("data: ")
        .append(JSON.writeValueAsString(data))
        .append("\n\n");
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("request-id", "req_fake");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
