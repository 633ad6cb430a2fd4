package dev.claudetelemetry.ingest.forwarding;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Where events wait between the hook's answer and transcript-service's acknowledgement: a bounded
 * queue in memory ({@link MemoryBacklog}) or the spool on disk ({@link SpoolBacklog}). The
 * forwarder's one thread takes batches from it and says when each was handled.
 */
interface Backlog {

  /** Events (their JSON), taken in order, and where the backlog stands after them. */
  record Batch(List<byte[]> events, long bytes, Object end) {
    boolean isEmpty() {
      return events.isEmpty();
    }
  }

  /**
   * Takes one event. The stage completes when the hook may be answered; it fails with {@code
   * NotSpooledException} when the event was not taken and the hook must not be told it is recorded.
   * {@code guarded}: a PreToolUse or PermissionRequest, whose answer Claude Code waits for before
   * running the tool.
   */
  CompletionStage<Void> append(byte[] event, boolean guarded);

  /**
   * Up to {@code maxEvents} events and {@code maxBytes} of them (a single event may exceed it).
   * Waits up to {@code idle} for a first event, then up to {@code linger} for the batch to fill;
   * returns what it has as soon as {@code stopping} holds.
   */
  Batch next(int maxEvents, long maxBytes, Duration linger, Duration idle, BooleanSupplier stopping)
      throws InterruptedException;

  /** Every event of the batch was delivered or given up on for good. */
  void handled(Batch batch);

  /** Shutdown ended before the batch was delivered; {@code undelivered} of its events were not. */
  void abandoned(Batch batch, int undelivered);

  /** Events taken and not yet handled. */
  long pending();

  /** Wakes a {@link #next} that is waiting, so it sees {@code stopping}. */
  void wake();

  /** The forwarder has stopped: no more events are taken. */
  void close();
}
