package dev.claudetelemetry.ingest.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.spool.Spool;
import dev.claudetelemetry.ingest.spool.SpoolOptions;
import dev.claudetelemetry.ingest.support.EventReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder delivering from the spool against a real HTTP receiver on loopback: what was taken
 * while transcript-service was down outlives the process and is delivered by the next one, each
 * event with the id it was given at receipt. (A SIGKILL of the real process: e2e-tests {@code
 * forwarding.SpoolCrashTest}.)
 */
class SpooledForwarderTests {

  @TempDir Path dir;
  private EventReceiver receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new EventReceiver();
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  private ForwardingOptions options() {
    return new ForwardingOptions(
        ForwardingOptions.eventsUrl(URI.create(receiver.url())),
        Optional.of("write-token"),
        10,
        1 << 20,
        50,
        1L << 20,
        Duration.ofMillis(20),
        Duration.ofSeconds(2),
        Duration.ofMillis(20),
        Duration.ofMillis(200),
        Duration.ofMillis(300));
  }

  private static ForwardedEvent event(int n) {
    return new ForwardedEvent(
        UUID.randomUUID().toString(),
        "2026-12-07T12:00:00Z",
        "alice",
        "{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"s\",\"n\":" + n + "}",
        null);
  }

  private static double counter(SimpleMeterRegistry registry, String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void shouldDeliverWhatThePreviousProcessTookWhileTranscriptServiceWasDown() throws Exception {
    receiver.down();
    SimpleMeterRegistry firstRegistry = new SimpleMeterRegistry();
    HookMetrics firstMetrics = new HookMetrics(firstRegistry);
    Spool firstSpool = Spool.open(new SpoolOptions(dir, 64 << 20, 1 << 16), firstMetrics);
    EventForwarder first =
        new EventForwarder(options(), new SpoolBacklog(firstSpool, firstMetrics), firstMetrics);
    first.start();
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<Void>> answered = new ArrayList<>();
    for (int n = 0; n < 300; n++) {
      ForwardedEvent event = event(n);
      ids.add(event.id());
      answered.add(first.offer(event, n % 10 == 0).toCompletableFuture());
    }
    CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).join();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> counter(firstRegistry, "claude.hook.forward.failures") >= 2);
    // The memory buffer of this test's options holds 10 events; the spool took all 300.
    assertThat(first.bufferedEvents()).isEqualTo(300);
    first.stop(); // its grace runs out with transcript-service still down
    assertThat(counter(firstRegistry, "claude.hook.forward.dropped", "reason", "shutdown"))
        .as("nothing given up: it stays in the spool")
        .isZero();
    assertThat(receiver.events()).isEmpty();

    receiver.up();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HookMetrics metrics = new HookMetrics(registry);
    Spool spool = Spool.open(new SpoolOptions(dir, 64 << 20, 1 << 16), metrics);
    EventForwarder second =
        new EventForwarder(options(), new SpoolBacklog(spool, metrics), metrics);
    second.start();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> receiver.acceptedIds().size() >= 300 && second.bufferedEvents() == 0);
      assertThat(receiver.acceptedIds())
          .as("every event once, with the id it got at receipt")
          .containsExactlyInAnyOrderElementsOf(ids);
      assertThat(receiver.attempts()).allSatisfy(a -> assertThat(ids).containsAll(a.ids()));
      assertThat(counter(registry, "claude.hook.spool.replayed.events")).isEqualTo(300);
      assertThat(counter(registry, "claude.hook.forwarded.events")).isEqualTo(300);
      assertThat(receiver.lastAuthorization()).isEqualTo("Bearer write-token");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (Stream<Path> files = Files.list(dir)) {
                  assertThat(files.filter(f -> f.toString().endsWith(".seg")))
                      .as("delivered segments are deleted; the one being written stays")
                      .hasSize(1);
                }
              });
    } finally {
      second.stop();
    }
  }
}
