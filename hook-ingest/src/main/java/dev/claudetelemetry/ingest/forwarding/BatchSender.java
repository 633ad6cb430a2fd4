package dev.claudetelemetry.ingest.forwarding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/events} on transcript-service, from the forwarder's own thread (so a blocking,
 * pooled, kept-alive JDK client is the simple choice). Says whether a batch was delivered, refused
 * for good (4xx other than 408/429) or is worth retrying (anything else).
 */
class BatchSender {

  enum Result { DELIVERED, REFUSED, RETRY }

  private static final Logger LOG = Logger.getLogger(BatchSender.class);

  private final ForwardingOptions options;
  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpClient client;

  BatchSender(ForwardingOptions options) {
    this.options = options;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(options.requestTimeout())
        .build();
  }

  Result send(List<ForwardedEvent> batch) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(options.eventsUrl())
        .timeout(options.requestTimeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)));
    options.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      LOG.debugf("transcript-service unreachable: %s", e.toString());
      return Result.RETRY;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Result.DELIVERED;
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      LOG.warnf("transcript-service refused a batch of %d events with HTTP %d: %s", batch.size(), status,
          abbreviate(response.body()));
      return Result.REFUSED;
    }
    LOG.debugf("transcript-service answered HTTP %d; the batch will be retried", status);
    return Result.RETRY;
  }

  private byte[] body(List<ForwardedEvent> batch) {
    try {
      return mapper.writeValueAsBytes(Map.of("events", batch));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("forwarded events always serialise", e);
    }
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 500 ? text : text.substring(0, 500) + "…";
  }
}
