package dev.claudetelemetry.ingest.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on a real directory: order, replay after a restart or crash, damage, the bound. */
class SpoolTests {

  @TempDir Path dir;

  private final List<Spool> opened = new ArrayList<>();
  private SimpleMeterRegistry registry;

  @AfterEach
  void closeAll() {
    opened.forEach(Spool::close);
  }

  /** A spool with fresh metrics, as a restarted process has. */
  private Spool open(long maxBytes, long segmentBytes) throws IOException {
    registry = new SimpleMeterRegistry();
    Spool spool =
        Spool.open(new SpoolOptions(dir, maxBytes, segmentBytes), new HookMetrics(registry));
    opened.add(spool);
    return spool;
  }

  private static byte[] event(int n) {
    return ("{\"id\":\"event-" + n + "\",\"pad\":\"" + "x".repeat(60) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> appendAll(Spool spool, int from, int to) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    List<String> appended = new ArrayList<>();
    for (int n = from; n < to; n++) {
      done.add(spool.append(event(n), Spool.Durability.SYNCED));
      appended.add(new String(event(n), StandardCharsets.UTF_8));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
    return appended;
  }

  /** Reads everything there is now, acknowledging each batch when {@code acknowledge}. */
  private static List<String> readAll(Spool spool, int batchSize, boolean acknowledge)
      throws InterruptedException {
    List<String> read = new ArrayList<>();
    while (true) {
      Spool.Read batch = spool.read(batchSize, 1 << 20, 0, 0, () -> true);
      if (acknowledge) {
        spool.acknowledge(batch.end(), batch.records().size());
      }
      if (batch.records().isEmpty()) {
        return read;
      }
      batch.records().forEach(r -> read.add(new String(r, StandardCharsets.UTF_8)));
    }
  }

  private long segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".seg")).count();
    }
  }

  private double counter(String name) {
    var counter = registry.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void shouldGiveBackEveryEventInOrderAndDeleteSegmentsOnceDelivered() throws Exception {
    Spool spool = open(1 << 20, 1024);
    List<String> appended = appendAll(spool, 0, 100);
    assertThat(segmentFiles()).as("100 events of ~90 bytes in 1 KiB segments").isGreaterThan(5);
    assertThat(spool.unacknowledged()).isEqualTo(100);

    assertThat(readAll(spool, 7, true)).containsExactlyElementsOf(appended);
    assertThat(spool.unacknowledged()).isZero();
    assertThat(segmentFiles()).as("only the segment being written is left").isEqualTo(1);
    long active;
    try (Stream<Path> files = Files.list(dir)) {
      active =
          files
              .filter(f -> f.toString().endsWith(".seg"))
              .mapToLong(f -> f.toFile().length())
              .sum();
    }
    assertThat(spool.usedBytes()).isEqualTo(active);
    assertThat(registry.find("claude.hook.spool").gauge().value()).isEqualTo(active);
  }

  @Test
  void shouldDeliverAfterARestartWhatWasNotAcknowledgedWithTheSameBytes() throws Exception {
    Spool first = open(1 << 20, 2048);
    List<String> appended = appendAll(first, 0, 50);
    List<String> delivered = new ArrayList<>();
    Spool.Read batch = first.read(20, 1 << 20, 0, 0, () -> true);
    batch.records().forEach(r -> delivered.add(new String(r, StandardCharsets.UTF_8)));
    first.acknowledge(batch.end(), batch.records().size());
    // Read but never acknowledged, as when the process dies with a batch in flight.
    assertThat(first.read(10, 1 << 20, 0, 0, () -> true).records()).hasSize(10);

    // A second process on the same directory while the first is gone without closing anything:
    // what a SIGKILL leaves (every append above had completed, so it was written and synced).
    Spool second = open(1 << 20, 2048);
    List<String> replayed = readAll(second, 8, true);
    assertThat(replayed).containsExactlyElementsOf(appended.subList(20, 50));
    assertThat(counter("claude.hook.spool.replayed.events")).isEqualTo(30);
    assertThat(counter("claude.hook.spool.corruptions")).isZero();

    List<String> later = appendAll(second, 50, 60);
    assertThat(readAll(second, 8, true)).containsExactlyElementsOf(later);
  }

  @Test
  void shouldSkipAndCountATornTailAndDamagedBytesAndStillStart() throws Exception {
    Spool first = open(1 << 20, 1 << 20);
    List<String> appended = appendAll(first, 0, 10);
    first.close();
    Path segment;
    try (Stream<Path> files = Files.list(dir)) {
      segment = files.filter(f -> f.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    }
    // Bit rot in the fourth record's payload, and a record torn by a crash halfway through.
    long fourth =
        3L * (SpoolRecords.HEADER_BYTES + event(0).length) + SpoolRecords.HEADER_BYTES + 5;
    byte[] bytes = Files.readAllBytes(segment);
    bytes[(int) fourth] ^= 0x20;
    Files.write(segment, bytes);
    byte[] torn = event(99);
    Files.write(segment, SpoolRecords.header(torn).array(), StandardOpenOption.APPEND);
    Files.write(segment, new byte[] {torn[0], torn[1], torn[2]}, StandardOpenOption.APPEND);

    Spool second = open(1 << 20, 1 << 20);
    List<String> expected = new ArrayList<>(appended);
    expected.remove(3);
    assertThat(readAll(second, 4, true)).containsExactlyElementsOf(expected);
    assertThat(counter("claude.hook.spool.corruptions")).isEqualTo(2);
    assertThat(counter("claude.hook.spool.corrupt"))
        .isEqualTo(SpoolRecords.HEADER_BYTES + event(0).length + SpoolRecords.HEADER_BYTES + 3);
    List<String> later = appendAll(second, 10, 15);
    assertThat(readAll(second, 4, true)).containsExactlyElementsOf(later);
  }

  @Test
  void shouldStartFromTheOldestSegmentWhenTheAcknowledgedPositionIsDamaged() throws Exception {
    Spool first = open(1 << 20, 1024);
    List<String> appended = appendAll(first, 0, 30);
    Spool.Read batch = first.read(25, 1 << 20, 0, 0, () -> true);
    first.acknowledge(batch.end(), batch.records().size());
    first.close();
    Files.writeString(dir.resolve(SpoolCursor.FILE), "7 123 deadbeef\n");

    Spool second = open(1 << 20, 1024);
    List<String> again = readAll(second, 10, true);
    // Events of deleted segments are gone for good (they were delivered); every one still on disk
    // comes again, which transcript-service stores once by id.
    assertThat(again).containsSubsequence(appended.subList(25, 30));
    assertThat(appended).containsAll(again);
  }

  @Test
  void shouldRefuseWhatDoesNotFitAndTakeEventsAgainOnceSegmentsAreDelivered() throws Exception {
    Spool spool = open(4096, 1024);
    int accepted = 0;
    int refused = 0;
    for (int n = 0; n < 100; n++) {
      try {
        spool.append(event(n), Spool.Durability.SYNCED).join();
        accepted++;
      } catch (CompletionException e) {
        assertThat(e.getCause()).isInstanceOf(NotSpooledException.class);
        assertThat(((NotSpooledException) e.getCause()).reason())
            .isEqualTo(NotSpooledException.Reason.FULL);
        refused++;
      }
    }
    assertThat(accepted).isBetween(30, 4096 / (SpoolRecords.HEADER_BYTES + event(0).length));
    assertThat(refused).isEqualTo(100 - accepted);
    assertThat(spool.usedBytes()).isLessThanOrEqualTo(4096);

    assertThat(readAll(spool, 10, true)).hasSize(accepted);
    spool.append(event(100), Spool.Durability.SYNCED).join();
    assertThat(readAll(spool, 10, true)).hasSize(1);
  }

  @Test
  void shouldSyncOnceForManyEventsWaitingTogether() throws Exception {
    Spool spool = open(64 << 20, 16 << 20);
    appendAll(spool, 0, 2000);
    long syncs = registry.find("claude.hook.spool.sync").timer().count();
    assertThat(counter("claude.hook.spool.written.events")).isEqualTo(2000);
    assertThat(syncs).as("group commit: events appended together share a sync").isLessThan(2000);
    assertThat(readAll(spool, 500, true)).hasSize(2000);
  }

  @Test
  void shouldRefuseAppendsOnceClosed() throws Exception {
    Spool spool = open(1 << 20, 1024);
    spool.close();
    assertThatThrownBy(() -> spool.append(event(1), Spool.Durability.WRITTEN).join())
        .hasCauseInstanceOf(NotSpooledException.class);
  }
}
