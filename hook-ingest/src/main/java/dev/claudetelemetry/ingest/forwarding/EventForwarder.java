package dev.claudetelemetry.ingest.forwarding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.metrics.HookMetrics.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Delivers events to transcript-service in batches from one background thread, taking them from a
 * {@link Backlog}. A batch that fails for a transient reason is retried with exponential backoff
 * until it is delivered, so a transcript-service restart loses nothing the backlog holds.
 */
public class EventForwarder {

  private static final Logger LOG = Logger.getLogger(EventForwarder.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(500);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ForwardingOptions options;
  private final Backlog backlog;
  private final BatchSender sender;
  private final HookMetrics metrics;
  private final Thread worker;
  private volatile boolean stopping;
  private volatile long stopDeadline;

  /** With the bounded buffer in memory. */
  public EventForwarder(ForwardingOptions options, HookMetrics metrics) {
    this(options, new MemoryBacklog(options, metrics), metrics);
  }

  EventForwarder(ForwardingOptions options, Backlog backlog, HookMetrics metrics) {
    this.options = options;
    this.backlog = backlog;
    this.sender = new BatchSender(options);
    this.metrics = metrics;
    this.worker = new Thread(this::run, "hook-forwarder");
    this.worker.setDaemon(true);
    metrics.forwardBuffer(this::bufferedEvents);
  }

  public void start() {
    worker.start();
  }

  /** Takes an event for delivery; see {@link Backlog#append} for what the stage says. */
  public CompletionStage<Void> offer(ForwardedEvent event, boolean guarded) {
    return backlog.append(json(event), guarded);
  }

  public CompletionStage<Void> offer(ForwardedEvent event) {
    return offer(event, false);
  }

  private static byte[] json(ForwardedEvent event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("forwarded events always serialise", e);
    }
  }

  /** Events received but not yet acknowledged by transcript-service. */
  public long bufferedEvents() {
    return backlog.pending();
  }

  /**
   * Keeps delivering what is waiting until it is all delivered or the grace period is over, then
   * closes the backlog: the memory buffer drops and counts what is left, the spool keeps it for the
   * next start.
   */
  public void stop() {
    stopDeadline = System.nanoTime() + options.shutdownGrace().toNanos();
    stopping = true;
    backlog.wake();
    try {
      worker.join(options.shutdownGrace().plus(options.requestTimeout()).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.interrupt();
    sender.abort();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backlog.close();
  }

  private void run() {
    try {
      while (true) {
        Backlog.Batch batch =
            backlog.next(
                options.batchSize(),
                options.batchBytes(),
                options.linger(),
                IDLE_POLL,
                () -> stopping);
        // While stopping, batches that are delivered keep coming until nothing is left; one that
        // fails is given up on at the grace deadline (deliver), and stop() interrupts a request
        // still waiting after that.
        if (!batch.isEmpty()) {
          if (!deliver(batch)) {
            return; // given up at the deadline: what is left is the backlog's to keep or count
          }
        } else {
          backlog.handled(batch);
          if (stopping) {
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Delivers the batch (or gives its events up for good); false when shutdown gave up on it. */
  private boolean deliver(Backlog.Batch batch) throws InterruptedException {
    long backoff = options.initialBackoff().toNanos();
    List<byte[]> pending = batch.events();
    while (true) {
      BatchSender.Outcome outcome;
      try {
        outcome = sender.send(pending);
      } catch (InterruptedException e) {
        // stop() interrupts a request still waiting when its grace is over.
        backlog.abandoned(batch, pending.size());
        throw e;
      }
      if (outcome.result() == BatchSender.Result.DELIVERED) {
        metrics.forwarded(pending.size());
        backlog.handled(batch);
        return true;
      }
      if (outcome.result() == BatchSender.Result.REFUSED) {
        if (outcome.refused().isEmpty() || outcome.refused().size() >= pending.size()) {
          metrics.dropped(DropReason.rejected, pending.size());
          backlog.handled(batch);
          return true;
        }
        // Only the events transcript-service named are malformed: give those up, send the rest
        // again.
        metrics.dropped(DropReason.rejected, outcome.refused().size());
        List<byte[]> rest = new ArrayList<>(pending.size() - outcome.refused().size());
        for (int i = 0; i < pending.size(); i++) {
          if (!outcome.refused().contains(i)) {
            rest.add(pending.get(i));
          }
        }
        pending = rest;
        continue;
      }
      metrics.forwardFailure();
      long wait = backoff;
      if (stopping) {
        long left = stopDeadline - System.nanoTime();
        if (left <= 0) {
          LOG.warnf(
              "shutting down: gave up on a batch of %d events transcript-service did not take",
              pending.size());
          backlog.abandoned(batch, pending.size());
          return false;
        }
        wait = Math.min(wait, left);
      }
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        backlog.abandoned(batch, pending.size());
        throw e;
      }
      backoff = Math.min(backoff * 2, options.maxBackoff().toNanos());
    }
  }
}
