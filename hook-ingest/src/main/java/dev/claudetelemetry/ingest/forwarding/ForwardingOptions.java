package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.config.IngestConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The forwarder's settings, separate from the config interface so tests can state them directly.
 */
public record ForwardingOptions(
    URI eventsUrl,
    Optional<String> token,
    int bufferEvents,
    long bufferBytes,
    int batchSize,
    long batchBytes,
    Duration linger,
    Duration requestTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration shutdownGrace) {

  static Optional<ForwardingOptions> from(IngestConfig.Forward config) {
    return config
        .url()
        .map(
            base ->
                new ForwardingOptions(
                    eventsUrl(base),
                    config.token(),
                    config.bufferEvents(),
                    config.bufferBytes().asLongValue(),
                    config.batchSize(),
                    config.batchBytes().asLongValue(),
                    config.linger(),
                    config.requestTimeout(),
                    config.initialBackoff(),
                    config.maxBackoff(),
                    config.shutdownGrace()));
  }

  public static URI eventsUrl(URI base) {
    String text = base.toString();
    return URI.create(
        (text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/v1/events");
  }
}
