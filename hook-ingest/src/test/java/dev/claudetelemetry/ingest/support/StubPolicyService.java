package dev.claudetelemetry.ingest.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A policy-service stand-in on loopback, real HTTP. Its answer is chosen by the Bash command in the
 * hook input, so each test picks a behaviour without shared state: {@code deny ...}, {@code ask
 * ...}, {@code slow ...} (held until {@link #releaseSlowAnswers()}), {@code garbage ...}, {@code
 * status500 ...}, and so on; anything else is allowed. The real policy-service runs in the e2e
 * suite; here we need answers it would never give.
 */
public final class StubPolicyService implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String lastAuthorization;
  private volatile CountDownLatch slowAnswers = new CountDownLatch(1);

  public StubPolicyService() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/decisions", this::decide);
    server.setExecutor(executor);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int requests() {
    return requests.get();
  }

  /**
   * Lets every held {@code slow ...} answer go (late: hook-ingest has given up on it by then); the
   * next ones are held again.
   */
  public void releaseSlowAnswers() {
    CountDownLatch released = slowAnswers;
    slowAnswers = new CountDownLatch(1);
    released.countDown();
  }

  public String lastAuthorization() {
    return lastAuthorization;
  }

  private void decide(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
    JsonNode input = JSON.readTree(exchange.getRequestBody());
    String event = input.path("hook_event_name").asText();
    String command = input.path("tool_input").path("command").asText("");
    String behaviour = command.split(" ", 2)[0];
    switch (behaviour) {
      case "slow" -> {
        awaitRelease(slowAnswers);
        send(exchange, 200, answer(event, "none", null));
      }
      case "garbage" -> send(exchange, 200, "this is not json");
      case "status500" -> send(exchange, 500, "{\"title\":\"boom\"}");
      case "status404" -> send(exchange, 404, "");
      case "array" -> send(exchange, 200, "[]");
      case "no-output" -> send(exchange, 200, "{\"policy\":{\"verdict\":\"deny\"}}");
      case "unknown-decision" -> send(exchange, 200, answer(event, "maybe", null));
      case "wrong-event" -> send(exchange, 200, answer("PostToolUse", "deny", "nope"));
      case "deny" ->
          send(exchange, 200, answer(event, "deny", "Blocked by rule test-deny: " + command));
      case "ask" -> send(exchange, 200, answer(event, "ask", "a person should decide"));
      case "allow" -> send(exchange, 200, answer(event, "allow", "Allowed by rule test-allow"));
      case "audit" ->
          send(
              exchange,
              200,
              "{\"policy\":{\"verdict\":\"deny\",\"ruleId\":\"audit-rule\","
                  + "\"mode\":\"audit\",\"version\":\"v1\",\"sha256\":\"00\","
                  + "\"reason\":\"Blocked by policy rule audit-rule\"}}");
      case "dryrun" ->
          // No rule decided, two dry-run rules matched, and one entry no policy-service writes.
          send(
              exchange,
              200,
              "{\"policy\":{\"verdict\":\"none\",\"ruleId\":null,"
                  + "\"mode\":\"enforce\",\"version\":\"v1\",\"sha256\":\"00\","
                  + "\"dryrun\":[{\"ruleId\":\"trial-deny\",\"verdict\":\"deny\","
                  + "\"reason\":\"Would have been blocked by policy rule trial-deny\"},"
                  + "{\"ruleId\":\"trial-ask\",\"verdict\":\"ask\",\"reason\":\"Would ask\"},"
                  + "{\"ruleId\":\"Not A Rule\",\"verdict\":\"deny\"}]}}");
      default -> send(exchange, 200, answer(event, "none", null));
    }
  }

  /**
   * The contract's shape for both guarded events; "none" (no rule decided) and a
   * PermissionRequest's "ask" omit hookSpecificOutput.
   */
  private static String answer(String event, String verdict, String reason) {
    String ruleId = "none".equals(verdict) ? "null" : "\"test-" + verdict + "\"";
    String policy =
        "\"policy\":{\"verdict\":\""
            + verdict
            + "\",\"ruleId\":"
            + ruleId
            + ",\"mode\":\"enforce\",\"version\":\"v1\",\"sha256\":\""
            + "ab".repeat(32)
            + "\"}";
    String reasonJson = reason == null ? "null" : JSON.valueToTree(reason).toString();
    if ("none".equals(verdict)) {
      return "{" + policy + "}";
    }
    if ("PermissionRequest".equals(event)) {
      if ("ask".equals(verdict)) {
        return "{" + policy + "}";
      }
      return "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\""
          + verdict
          + "\""
          + (reason == null ? "" : ",\"message\":" + reasonJson)
          + "}},"
          + policy
          + "}";
    }
    return "{\"hookSpecificOutput\":{\"hookEventName\":\""
        + event
        + "\",\"permissionDecision\":\""
        + verdict
        + "\""
        + (reason == null ? "" : ",\"permissionDecisionReason\":" + reasonJson)
        + "},"
        + policy
        + "}";
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Holds an answer until released, or a minute if a test forgot to release it. */
  private static void awaitRelease(CountDownLatch release) {
    try {
      release.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
