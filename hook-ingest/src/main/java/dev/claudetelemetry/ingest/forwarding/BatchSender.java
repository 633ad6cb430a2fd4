package dev.claudetelemetry.ingest.forwarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/events} on transcript-service, from the forwarder's own thread (so a blocking,
 * pooled, kept-alive JDK client is the simple choice). Says whether a batch was delivered, refused
 * for good (4xx other than 408/429) or is worth retrying (anything else).
 */
class BatchSender {

  enum Result {
    DELIVERED,
    REFUSED,
    RETRY
  }

  /**
   * What became of a batch. For a 422, {@code refused} holds the indexes transcript-service named
   * as malformed (docs/contracts.md), so the rest of the batch can be sent again rather than lost
   * with them.
   */
  record Outcome(Result result, Set<Integer> refused) {
    static final Outcome DELIVERED = new Outcome(Result.DELIVERED, Set.of());
    static final Outcome RETRY = new Outcome(Result.RETRY, Set.of());
  }

  private static final Logger LOG = Logger.getLogger(BatchSender.class);
  private static final byte[] OPEN = "{\"events\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

  private final ForwardingOptions options;
  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpClient client;

  BatchSender(ForwardingOptions options) {
    this.options = options;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.requestTimeout())
            .build();
  }

  /** {@code batch}: each event's JSON, as spooled. */
  Outcome send(List<byte[]> batch) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(options.eventsUrl())
            .timeout(options.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)));
    options.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      LOG.debugf("transcript-service unreachable: %s", e.toString());
      return Outcome.RETRY;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Outcome.DELIVERED;
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      LOG.warnf(
          "transcript-service refused a batch of %d events with HTTP %d: %s",
          batch.size(), status, abbreviate(response.body()));
      return new Outcome(
          Result.REFUSED, status == 422 ? refusedIndexes(response.body(), batch.size()) : Set.of());
    }
    LOG.debugf("transcript-service answered HTTP %d; the batch will be retried", status);
    return Outcome.RETRY;
  }

  /** The indexes a 422 names in {@code errors[].index}; empty when the answer names none usable. */
  private Set<Integer> refusedIndexes(String body, int batchSize) {
    Set<Integer> indexes = new TreeSet<>();
    try {
      for (JsonNode error : mapper.readTree(body).path("errors")) {
        JsonNode index = error.path("index");
        if (!index.isInt() || index.intValue() < 0 || index.intValue() >= batchSize) {
          return Set.of();
        }
        indexes.add(index.intValue());
      }
    } catch (IOException | RuntimeException e) {
      return Set.of();
    }
    return indexes;
  }

  /** {@code {"events":[…]}} around the events' JSON as it is: nothing is parsed again. */
  private static byte[] body(List<byte[]> batch) {
    int size = OPEN.length + CLOSE.length + Math.max(0, batch.size() - 1);
    for (byte[] event : batch) {
      size += event.length;
    }
    ByteBuffer body = ByteBuffer.allocate(size).put(OPEN);
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        body.put((byte) ',');
      }
      body.put(batch.get(i));
    }
    return body.put(CLOSE).array();
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 500 ? text : text.substring(0, 500) + "…";
  }
}
