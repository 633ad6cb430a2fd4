package dev.claudetelemetry.ingest.forwarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/events} on transcript-service, from the forwarder's own thread. The JDK's {@link
 * HttpURLConnection} does the exchange on that thread, over a kept-alive connection: the
 * asynchronous {@code java.net.http} client would hand every request to its selector thread and
 * every answer to a worker, three threads woken per batch instead of one. Says whether a batch was
 * delivered, refused for good (4xx other than 408/429) or is worth retrying (anything else).
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

  /** A refusal's problem details are read for the log and the indexes they name, up to this. */
  private static final int MAX_ANSWER_BYTES = 1 << 20;

  private final ForwardingOptions options;
  private final ObjectMapper mapper = new ObjectMapper();
  private final URL url;
  private final int timeoutMillis;

  /** The exchange in progress, for {@link #abort()}. */
  private volatile HttpURLConnection current;

  BatchSender(ForwardingOptions options) {
    this.options = options;
    try {
      this.url = options.eventsUrl().toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("not a URL: " + options.eventsUrl(), e);
    }
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.requestTimeout().toMillis());
  }

  /**
   * {@code batch}: each event's JSON, as spooled. Throws {@code InterruptedException} when {@link
   * #abort()} ended the exchange (the thread is interrupted first).
   */
  Outcome send(List<byte[]> batch) throws InterruptedException {
    byte[] body = body(batch);
    int status;
    String answer;
    try {
      HttpURLConnection connection = (HttpURLConnection) url.openConnection();
      current = connection;
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setUseCaches(false);
      connection.setInstanceFollowRedirects(false);
      // Each blocking step (connecting, every read) is bounded; transcript-service answers a batch
      // with a few bytes at once, so this bounds the exchange as a whole too.
      connection.setConnectTimeout(timeoutMillis);
      connection.setReadTimeout(timeoutMillis);
      connection.setFixedLengthStreamingMode(body.length);
      connection.setRequestProperty("Content-Type", "application/json");
      options
          .token()
          .ifPresent(token -> connection.setRequestProperty("Authorization", "Bearer " + token));
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body);
      }
      status = connection.getResponseCode();
      // Read to the end (and closed): only then is the connection kept for the next batch.
      answer = readAnswer(status < 400 ? connection.getInputStream() : connection.getErrorStream());
    } catch (IOException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException("the exchange with transcript-service was aborted");
      }
      LOG.debugf("transcript-service unreachable: %s", e.toString());
      return Outcome.RETRY;
    } finally {
      current = null;
    }
    if (status >= 200 && status < 300) {
      return Outcome.DELIVERED;
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      LOG.warnf(
          "transcript-service refused a batch of %d events with HTTP %d: %s",
          batch.size(), status, abbreviate(answer));
      return new Outcome(
          Result.REFUSED, status == 422 ? refusedIndexes(answer, batch.size()) : Set.of());
    }
    LOG.debugf("transcript-service answered HTTP %d; the batch will be retried", status);
    return Outcome.RETRY;
  }

  /**
   * Ends the exchange in progress, if any, from another thread: a blocking read does not see an
   * interrupt, so the connection is closed under it.
   */
  void abort() {
    HttpURLConnection connection = current;
    if (connection != null) {
      connection.disconnect();
    }
  }

  private static String readAnswer(InputStream answer) throws IOException {
    if (answer == null) {
      return "";
    }
    try (InputStream in = answer) {
      byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES);
      in.transferTo(OutputStream.nullOutputStream());
      return new String(bytes, StandardCharsets.UTF_8);
    }
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
