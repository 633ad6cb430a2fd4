package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.guard.GuardDecision;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.spool.Spool;
import dev.claudetelemetry.ingest.spool.SpoolOptions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Forwarding as the rest of the service sees it: on when TRANSCRIPT_SERVICE_URL is set, else off;
 * from the spool on disk when HOOK_INGEST_SPOOL_DIR is set, else from a buffer in memory.
 */
@Singleton
public class Forwarding {

  private static final Logger LOG = Logger.getLogger(Forwarding.class);
  private static final CompletionStage<Void> NOTHING_TO_DO =
      CompletableFuture.completedFuture(null);

  private final Optional<EventForwarder> forwarder;
  private final Optional<ForwardingOptions> options;
  private final Optional<SpoolOptions> spool;

  Forwarding(IngestConfig config, HookMetrics metrics) {
    this.options = ForwardingOptions.from(config.forward());
    IngestConfig.Forward.Spool spoolConfig = config.forward().spool();
    this.spool =
        options.isEmpty()
            ? Optional.empty()
            : spoolConfig
                .dir()
                .map(
                    dir ->
                        new SpoolOptions(
                            dir,
                            spoolConfig.maxBytes().asLongValue(),
                            spoolConfig.segmentBytes().asLongValue()));
    this.forwarder =
        options.map(
            settings ->
                new EventForwarder(
                    settings,
                    spool.isPresent()
                        ? new SpoolBacklog(openSpool(spool.get(), metrics), metrics)
                        : new MemoryBacklog(settings, metrics),
                    metrics));
  }

  /**
   * A spool directory that cannot be used at all (not writable, not a directory) stops the start:
   * running without the durability the platform was configured for would be a silent downgrade.
   */
  private static Spool openSpool(SpoolOptions options, HookMetrics metrics) {
    try {
      return Spool.open(options, metrics);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "HOOK_INGEST_SPOOL_DIR " + options.dir() + " cannot be used as the spool", e);
    }
  }

  void start(@Observes StartupEvent event) {
    if (forwarder.isPresent()) {
      forwarder.get().start();
      LOG.infof(
          "forwarding events to %s from %s",
          options.get().eventsUrl(),
          spool.map(s -> "the spool in " + s.dir()).orElse("a buffer in memory"));
    } else {
      LOG.warn(
          "TRANSCRIPT_SERVICE_URL is not set: events are counted but not forwarded to transcript-service");
    }
  }

  void stop(@Observes ShutdownEvent event) {
    forwarder.ifPresent(EventForwarder::stop);
  }

  /**
   * Assigns the event its id (once, here) and hands it to the backlog. The stage completes when the
   * hook may be answered; it fails with {@code NotSpooledException} when the spool did not take the
   * event. {@code guarded}: a PreToolUse or PermissionRequest. {@code eventKey}: the hook client's
   * name for the event (a valid key, or null), from which the id is derived.
   */
  public CompletionStage<Void> forward(
      String user, String eventJson, GuardDecision decision, boolean guarded, String eventKey) {
    return forwarder
        .map(
            target ->
                target.offer(
                    new ForwardedEvent(
                        eventId(user, eventKey),
                        Instant.now().toString(),
                        user,
                        eventJson,
                        decision),
                    guarded))
        .orElse(NOTHING_TO_DO);
  }

  /**
   * A keyed event's id is a name-based UUID of its user and key: every attempt to deliver one event
   * (a retry whose answer was lost, the pod's hand-off delivering it later) gets the same id, which
   * transcript-service stores once. The user is the token's, so a key can only ever name an event
   * of its own user: one user's agent cannot make another user's event a duplicate. The client
   * draws its keys at random (128 bits), so the agent cannot name an event of its own user before
   * it is sent either.
   */
  static String eventId(String user, String eventKey) {
    if (eventKey == null) {
      return UUID.randomUUID().toString();
    }
    return nameUuid(
            ("claude-hook-event\n" + user + "\n" + eventKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /**
   * {@link UUID#nameUUIDFromBytes} with a digest kept per thread: that method looks the MD5
   * implementation up among the security providers on every call, which costs more than the hash.
   */
  static UUID nameUuid(byte[] name) {
    byte[] md5 = MD5.get().digest(name);
    md5[6] = (byte) (md5[6] & 0x0f | 0x30); // version 3, name-based with MD5
    md5[8] = (byte) (md5[8] & 0x3f | 0x80); // the IETF variant
    return new UUID(ByteBuffer.wrap(md5, 0, 8).getLong(), ByteBuffer.wrap(md5, 8, 8).getLong());
  }

  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform has MD5", e);
            }
          });

  /** 32 lower-case hexadecimal digits: the 128 random bits the hook client draws per event. */
  public static boolean validEventKey(String key) {
    if (key.length() != 32) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  public boolean enabled() {
    return forwarder.isPresent();
  }

  public Optional<ForwardingOptions> options() {
    return options;
  }

  /** The spool's directory, when events are spooled on disk. */
  public Optional<Path> spoolDir() {
    return spool.map(SpoolOptions::dir);
  }

  public long bufferedEvents() {
    return forwarder.map(EventForwarder::bufferedEvents).orElse(0L);
  }
}
