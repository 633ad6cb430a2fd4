package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.metrics.HookMetrics.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The backlog without a spool: a queue in memory bounded in events and bytes. What does not fit is
 * dropped and counted ({@code buffer_full}), and what is left at shutdown is lost and counted
 * ({@code shutdown}); the hook is answered at once either way.
 */
final class MemoryBacklog implements Backlog {

  private static final Logger LOG = Logger.getLogger(MemoryBacklog.class);
  private static final CompletableFuture<Void> ANSWER = CompletableFuture.completedFuture(null);
  private static final Duration LINGER_STEP = Duration.ofMillis(5);

  private final long maxBytes;
  private final HookMetrics metrics;
  private final BlockingQueue<byte[]> queue;
  private final AtomicLong bytes = new AtomicLong();
  private volatile int inFlight;
  private volatile boolean closed;

  MemoryBacklog(ForwardingOptions options, HookMetrics metrics) {
    this.maxBytes = options.bufferBytes();
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(options.bufferEvents());
  }

  /** What an event holds on to while buffered, roughly. */
  private static long footprint(byte[] event) {
    return event.length + 64L;
  }

  @Override
  public CompletionStage<Void> append(byte[] event, boolean guarded) {
    if (closed) {
      metrics.dropped(DropReason.shutdown, 1);
      return ANSWER;
    }
    long size = footprint(event);
    if (bytes.addAndGet(size) > maxBytes || !queue.offer(event)) {
      bytes.addAndGet(-size);
      metrics.dropped(DropReason.buffer_full, 1);
    }
    return ANSWER;
  }

  @Override
  public Batch next(
      int maxEvents, long maxBytes, Duration linger, Duration idle, BooleanSupplier stopping)
      throws InterruptedException {
    List<byte[]> events = new ArrayList<>();
    byte[] first = queue.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
    if (first == null) {
      return new Batch(events, 0, null);
    }
    events.add(first);
    long size = first.length;
    long lingerUntil = System.nanoTime() + linger.toNanos();
    while (events.size() < maxEvents && !stopping.getAsBoolean()) {
      byte[] next = queue.peek(); // this thread is the only consumer: peek, then poll, is safe
      if (next == null) {
        long left = lingerUntil - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(left, LINGER_STEP.toNanos()));
        } catch (InterruptedException e) {
          metrics.dropped(DropReason.shutdown, events.size());
          release(events);
          throw e;
        }
        continue;
      }
      if (size + next.length > maxBytes) {
        break;
      }
      queue.poll();
      events.add(next);
      size += next.length;
    }
    inFlight = events.size();
    return new Batch(events, size, null);
  }

  @Override
  public void handled(Batch batch) {
    release(batch.events());
  }

  @Override
  public void abandoned(Batch batch, int undelivered) {
    metrics.dropped(DropReason.shutdown, undelivered);
    release(batch.events());
  }

  private void release(List<byte[]> events) {
    long size = 0;
    for (byte[] event : events) {
      size += footprint(event);
    }
    bytes.addAndGet(-size);
    inFlight = 0;
  }

  @Override
  public long pending() {
    return queue.size() + (long) inFlight;
  }

  @Override
  public void wake() {
    // next() polls in short steps: it sees stopping on its own.
  }

  @Override
  public void close() {
    closed = true;
    List<byte[]> left = new ArrayList<>();
    queue.drainTo(left);
    if (!left.isEmpty()) {
      metrics.dropped(DropReason.shutdown, left.size());
      LOG.warnf("shutting down with %d events not delivered to transcript-service", left.size());
    }
  }
}
