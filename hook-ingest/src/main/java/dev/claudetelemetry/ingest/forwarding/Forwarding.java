package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.guard.GuardDecision;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Forwarding as the rest of the service sees it: on when TRANSCRIPT_SERVICE_URL is set, else off.
 */
@Singleton
public class Forwarding {

  private static final Logger LOG = Logger.getLogger(Forwarding.class);

  private final Optional<EventForwarder> forwarder;
  private final Optional<ForwardingOptions> options;

  Forwarding(IngestConfig config, HookMetrics metrics) {
    this.options = ForwardingOptions.from(config.forward());
    this.forwarder = options.map(settings -> new EventForwarder(settings, metrics));
  }

  void start(@Observes StartupEvent event) {
    if (forwarder.isPresent()) {
      forwarder.get().start();
      LOG.infof("forwarding events to %s", options.get().eventsUrl());
    } else {
      LOG.warn(
          "TRANSCRIPT_SERVICE_URL is not set: events are counted but not forwarded to transcript-service");
    }
  }

  void stop(@Observes ShutdownEvent event) {
    forwarder.ifPresent(EventForwarder::stop);
  }

  /** Assigns the event its id (once, here) and buffers it for delivery. */
  public void forward(String user, String eventJson, GuardDecision decision) {
    forwarder.ifPresent(
        target ->
            target.offer(
                new ForwardedEvent(
                    UUID.randomUUID().toString(),
                    Instant.now().toString(),
                    user,
                    eventJson,
                    decision)));
  }

  public boolean enabled() {
    return forwarder.isPresent();
  }

  public Optional<ForwardingOptions> options() {
    return options;
  }

  public int bufferedEvents() {
    return forwarder.map(EventForwarder::bufferedEvents).orElse(0);
  }
}
