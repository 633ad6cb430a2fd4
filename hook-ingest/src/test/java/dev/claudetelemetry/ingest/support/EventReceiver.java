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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transcript-service stand-in for {@code POST /v1/events}, real HTTP on loopback: stores each
 * event id once (as transcript-service does), can answer a chosen status, and can go down and come
 * back on the same port. Besides what it stores it keeps, in order, the ids of every batch it was
 * sent and what it answered, so a test sees what de-duplication would hide: an id sent again after
 * it was accepted, or a retry with new ids. It can also hold every answer until released.
 */
public final class EventReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port;
  private final Map<String, JsonNode> eventsById = new LinkedHashMap<>();
  private final List<Integer> batchSizes = new ArrayList<>();
  private final List<Attempt> attempts = new ArrayList<>();
  private volatile CountDownLatch held = new CountDownLatch(0);
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;
  private volatile String lastAuthorization;
  private HttpServer server;
  private ExecutorService executor;

  public EventReceiver() throws IOException {
    this(0);
  }

  private EventReceiver(int port) throws IOException {
    start(port);
    this.port = server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Every following batch gets this status (200 stores it). */
  public void answer(int status) {
    this.status = status;
  }

  public synchronized void down() {
    server.stop(0);
    executor.shutdownNow();
    server = null;
  }

  public synchronized void up() throws IOException {
    start(port);
  }

  public synchronized List<JsonNode> events() {
    return new ArrayList<>(eventsById.values());
  }

  public synchronized List<Integer> batchSizes() {
    return new ArrayList<>(batchSizes);
  }

  /** One batch answered: its event ids in order and the status it was answered with. */
  public record Attempt(List<String> ids, int status) {}

  /** Every batch answered (a held one once released), in order, whatever the status. */
  public synchronized List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  /** Ids in batches answered 200, each as often as it was accepted: no de-duplication. */
  public synchronized List<String> acceptedIds() {
    List<String> ids = new ArrayList<>();
    attempts.stream().filter(a -> a.status() == 200).forEach(a -> ids.addAll(a.ids()));
    return ids;
  }

  /** From now on every request waits, unanswered, until {@link #release()}. */
  public void hold() {
    held = new CountDownLatch(1);
  }

  public void release() {
    held.countDown();
  }

  public int requests() {
    return requests.get();
  }

  public String lastAuthorization() {
    return lastAuthorization;
  }

  private void start(int onPort) throws IOException {
    executor = Executors.newFixedThreadPool(2);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
    server.createContext("/v1/events", this::receive);
    server.setExecutor(executor);
    server.start();
  }

  private void receive(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    try {
      if (!held.await(60, TimeUnit.SECONDS)) {
        throw new IOException("held longer than a minute: nobody released it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    int answer = status;
    int accepted = 0;
    int duplicates = 0;
    // Like transcript-service, refuse the whole batch when any event is malformed, naming which.
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < body.path("events").size(); i++) {
      if (body.path("events").get(i).path("event").path("malformed").asBoolean(false)) {
        errors.add("{\"index\":" + i + ",\"reason\":\"malformed\"}");
      }
    }
    if (answer == 200 && !errors.isEmpty()) {
      answer = 422;
    }
    List<String> ids = new ArrayList<>();
    body.path("events").forEach(event -> ids.add(event.path("id").asText()));
    synchronized (this) {
      attempts.add(new Attempt(ids, answer));
    }
    if (answer == 200) {
      synchronized (this) {
        batchSizes.add(body.path("events").size());
        for (JsonNode event : body.path("events")) {
          if (eventsById.putIfAbsent(event.path("id").asText(), event) == null) {
            accepted++;
          } else {
            duplicates++;
          }
        }
      }
    }
    byte[] reply =
        (answer == 200
                ? "{\"accepted\":" + accepted + ",\"duplicates\":" + duplicates + "}"
                : "{\"title\":\"refused\",\"status\":"
                    + answer
                    + ",\"errors\":["
                    + String.join(",", errors)
                    + "]}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer, reply.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(reply);
    }
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      down();
    }
  }
}
