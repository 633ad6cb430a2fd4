package dev.claudetelemetry.ingest.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.ingest.guard.GuardDecision;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.support.EventReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The forwarder against a real HTTP receiver on loopback that refuses, goes down and comes back.
 */
class EventForwarderTests {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HookMetrics metrics = new HookMetrics(registry);
  private EventReceiver receiver;
  private EventForwarder forwarder;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new EventReceiver();
  }

  @AfterEach
  void stopAll() {
    receiver.close();
  }

  private EventForwarder forwarder(int bufferEvents, int batchSize, Duration shutdownGrace) {
    ForwardingOptions options =
        new ForwardingOptions(
            ForwardingOptions.eventsUrl(URI.create(receiver.url())),
            Optional.of("write-token"),
            bufferEvents,
            64L * 1024 * 1024,
            batchSize,
            1L << 20,
            Duration.ofMillis(20),
            Duration.ofSeconds(2),
            Duration.ofMillis(20),
            Duration.ofMillis(200),
            shutdownGrace);
    return new EventForwarder(options, metrics);
  }

  private static ForwardedEvent event(int n) {
    return new ForwardedEvent(
        UUID.randomUUID().toString(),
        "2026-11-25T15:00:00Z",
        "alice",
        "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"n\":" + n + "}",
        n % 2 == 0 ? null : new GuardDecision("deny", "r", "enforce", "policy", "because"));
  }

  private double counter(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void shouldDeliverEveryEventInBatchesWithToken() {
    forwarder = forwarder(1000, 50, Duration.ofSeconds(2));
    for (int i = 0; i < 120; i++) {
      forwarder.offer(event(i));
    }
    forwarder.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 120);
    forwarder.stop();

    assertThat(receiver.batchSizes()).allMatch(size -> size <= 50);
    assertThat(receiver.batchSizes()).contains(50);
    assertThat(receiver.lastAuthorization()).isEqualTo("Bearer write-token");
    JsonNode odd =
        receiver.events().stream()
            .filter(e -> e.path("event").path("n").asInt() == 1)
            .findFirst()
            .orElseThrow();
    assertThat(odd.path("decision").path("verdict").asText()).isEqualTo("deny");
    assertThat(odd.path("user").asText()).isEqualTo("alice");
    assertThat(counter("claude.hook.forwarded.events")).isEqualTo(120);
    assertThat(forwarder.bufferedEvents()).isZero();
  }

  @Test
  void shouldKeepEachBatchWithinItsByteLimit() {
    ForwardingOptions options =
        new ForwardingOptions(
            ForwardingOptions.eventsUrl(URI.create(receiver.url())),
            Optional.empty(),
            100,
            1 << 20,
            50,
            2500, // two of the ~1,150-byte events below, not three
            Duration.ofMillis(20),
            Duration.ofSeconds(2),
            Duration.ofMillis(20),
            Duration.ofMillis(200),
            Duration.ofSeconds(1));
    forwarder = new EventForwarder(options, metrics);
    String padding = "x".repeat(1000);
    for (int i = 0; i < 9; i++) {
      forwarder.offer(
          new ForwardedEvent(
              UUID.randomUUID().toString(),
              "2026-11-25T15:00:00Z",
              "alice",
              "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"n\":"
                  + i
                  + ",\"p\":\""
                  + padding
                  + "\"}",
              null));
    }
    forwarder.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 9);
    forwarder.stop();
    assertThat(receiver.batchSizes()).containsExactly(2, 2, 2, 2, 1);
  }

  @Test
  void shouldLoseNothingThatFittedInTheBufferWhileTranscriptServiceRestarts() throws Exception {
    forwarder = forwarder(500, 20, Duration.ofSeconds(2));
    forwarder.start();
    List<String> offered = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      offered.add(offer(forwarder, event(i)));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 30);

    receiver.down();
    for (int i = 30; i < 200; i++) {
      offered.add(offer(forwarder, event(i)));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> counter("claude.hook.forward.failures") >= 3);
    assertThat(forwarder.bufferedEvents()).isEqualTo(170);
    assertThat(registry.find("claude.hook.forward.buffer").gauge().value()).isEqualTo(170);

    receiver.answer(503); // coming back, not ready yet
    int requestsWhileDown = receiver.requests();
    receiver.up();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> receiver.requests() > requestsWhileDown);
    assertThat(receiver.events()).hasSize(30);
    receiver.answer(200);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 200);
    forwarder.stop();

    Set<Integer> numbers = new HashSet<>();
    receiver.events().forEach(e -> numbers.add(e.path("event").path("n").asInt()));
    assertThat(numbers).hasSize(200);
    assertThat(receiver.acceptedIds())
        .as("each event accepted exactly once: nothing sent again after it was taken")
        .containsExactlyInAnyOrderElementsOf(offered);
    assertThat(receiver.attempts())
        .filteredOn(a -> a.status() != 200)
        .as("the batches answered 503 were sent again with the same ids")
        .isNotEmpty()
        .allSatisfy(a -> assertThat(offered).containsAll(a.ids()));
    assertThat(counter("claude.hook.forwarded.events")).isEqualTo(200);
    assertThat(counter("claude.hook.forward.dropped", "reason", "buffer_full")).isZero();
  }

  /** Offers the event and returns its id. */
  private static String offer(EventForwarder forwarder, ForwardedEvent event) {
    forwarder.offer(event);
    return event.id();
  }

  @Test
  void shouldDropAndCountWhatDoesNotFitInTheBuffer() throws Exception {
    receiver.down();
    forwarder = forwarder(10, 5, Duration.ofMillis(200));
    for (int i = 0; i < 25; i++) {
      forwarder.offer(event(i));
    }
    assertThat(counter("claude.hook.forward.dropped", "reason", "buffer_full")).isEqualTo(15);
    assertThat(forwarder.bufferedEvents()).isEqualTo(10);

    receiver.up();
    forwarder.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 10);
    forwarder.stop();
    assertThat(receiver.events())
        .extracting(e -> e.path("event").path("n").asInt())
        .containsExactlyInAnyOrderElementsOf(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  }

  @Test
  void shouldDropAndCountABatchTranscriptServiceRefuses() {
    receiver.answer(422);
    forwarder = forwarder(100, 10, Duration.ofSeconds(1));
    forwarder.start();
    for (int i = 0; i < 10; i++) {
      forwarder.offer(event(i));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> counter("claude.hook.forward.dropped", "reason", "rejected") == 10);
    forwarder.stop();
    assertThat(receiver.requests()).isEqualTo(1); // not retried
    assertThat(counter("claude.hook.forward.failures")).isZero();
  }

  @Test
  void shouldSendTheRestAgainWhenTranscriptServiceNamesTheMalformedEvents() {
    forwarder = forwarder(100, 10, Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      ForwardedEvent event = event(i);
      if (i == 3 || i == 7) {
        event =
            new ForwardedEvent(
                event.id(),
                event.receivedAt(),
                event.user(),
                "{\"hook_event_name\":\"Stop\",\"session_id\":\"s\",\"n\":"
                    + i
                    + ",\"malformed\":true}",
                null);
      }
      forwarder.offer(event);
    }
    forwarder.start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 8);
    forwarder.stop();
    assertThat(receiver.events())
        .extracting(e -> e.path("event").path("n").asInt())
        .containsExactlyInAnyOrder(0, 1, 2, 4, 5, 6, 8, 9);
    assertThat(counter("claude.hook.forward.dropped", "reason", "rejected")).isEqualTo(2);
    assertThat(counter("claude.hook.forwarded.events")).isEqualTo(8);
    assertThat(receiver.requests()).isEqualTo(2);
  }

  @Test
  void shouldRetryTheSameIdsSoTranscriptServiceStoresEachOnce() {
    receiver.answer(500);
    forwarder = forwarder(100, 10, Duration.ofSeconds(1));
    forwarder.start();
    List<String> offered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      offered.add(offer(forwarder, event(i)));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests() >= 3);
    receiver.answer(200);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.events().size() == 5);
    forwarder.stop();
    assertThat(counter("claude.hook.forwarded.events")).isEqualTo(5);
    assertThat(counter("claude.hook.forward.failures")).isGreaterThanOrEqualTo(2);
    // Every attempt, refused or not, carried the same ids the forwarder was given; the receiver's
    // de-duplication would hide new ids on a retry or a second delivery, so look at the wire.
    List<EventReceiver.Attempt> attempts = receiver.attempts();
    assertThat(attempts.stream().filter(a -> a.status() == 500)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(attempts)
        .allSatisfy(a -> assertThat(a.ids()).containsExactlyInAnyOrderElementsOf(offered));
    assertThat(receiver.acceptedIds()).containsExactlyInAnyOrderElementsOf(offered);
  }

  @Test
  @Timeout(60)
  void shouldFlushOnShutdownAndCountWhatCouldNotBeDelivered() throws Exception {
    forwarder = forwarder(100, 10, Duration.ofMillis(300));
    forwarder.start();
    for (int i = 0; i < 7; i++) {
      forwarder.offer(event(i));
    }
    forwarder.stop();
    assertThat(receiver.events()).hasSize(7);

    // transcript-service takes the batch and never answers while hook-ingest shuts down: the
    // receiver holds its answer until stop() has returned, so stop() can only return by giving up
    // on its own, when its grace period is over (the JUnit timeout guards against a hang).
    EventReceiver silent = new EventReceiver();
    silent.hold();
    EventForwarder stranded =
        new EventForwarder(
            new ForwardingOptions(
                ForwardingOptions.eventsUrl(URI.create(silent.url())),
                Optional.empty(),
                100,
                1 << 20,
                10,
                1 << 20,
                Duration.ofMillis(20),
                Duration.ofSeconds(1),
                Duration.ofMillis(20),
                Duration.ofMillis(100),
                Duration.ofMillis(300)),
            metrics);
    stranded.start();
    for (int i = 0; i < 4; i++) {
      stranded.offer(event(i));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> silent.requests() == 1);
    try {
      stranded.stop();
      assertThat(silent.attempts()).as("no answer was given before stop() returned").isEmpty();
      assertThat(counter("claude.hook.forward.dropped", "reason", "shutdown")).isEqualTo(4);
      stranded.offer(event(9));
      assertThat(counter("claude.hook.forward.dropped", "reason", "shutdown")).isEqualTo(5);
    } finally {
      silent.release();
      silent.close();
    }
  }
}
