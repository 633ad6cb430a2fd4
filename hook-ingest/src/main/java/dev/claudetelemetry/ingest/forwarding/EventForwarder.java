package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.metrics.HookMetrics.DropReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Delivers events to transcript-service in batches from one background thread. A batch that fails
 * for a transient reason is retried with exponential backoff until it is delivered, so nothing that
 * fitted in the bounded buffer is lost while transcript-service restarts; what does not fit is
 * dropped and counted. Receiving a hook never waits for any of this.
 */
public class EventForwarder {

  private static final Logger LOG = Logger.getLogger(EventForwarder.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(500);
  private static final Duration LINGER_STEP = Duration.ofMillis(5);

  private final ForwardingOptions options;
  private final BatchSender sender;
  private final HookMetrics metrics;
  private final BlockingQueue<ForwardedEvent> queue;
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final Thread worker;
  private volatile int inFlight;
  private volatile boolean stopping;
  private volatile long stopDeadline;

  public EventForwarder(ForwardingOptions options, HookMetrics metrics) {
    this(options, new BatchSender(options), metrics);
  }

  EventForwarder(ForwardingOptions options, BatchSender sender, HookMetrics metrics) {
    this.options = options;
    this.sender = sender;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(options.bufferEvents());
    this.worker = new Thread(this::run, "hook-forwarder");
    this.worker.setDaemon(true);
    metrics.forwardBuffer(this::bufferedEvents);
  }

  public void start() {
    worker.start();
  }

  /** Buffers an event for delivery; when the buffer is full the event is dropped and counted. */
  public void offer(ForwardedEvent event) {
    long bytes = event.approximateBytes();
    if (stopping) {
      metrics.dropped(DropReason.shutdown, 1);
      return;
    }
    if (bufferedBytes.addAndGet(bytes) > options.bufferBytes() || !queue.offer(event)) {
      bufferedBytes.addAndGet(-bytes);
      metrics.dropped(DropReason.buffer_full, 1);
    }
  }

  /** Events received but not yet acknowledged by transcript-service. */
  public int bufferedEvents() {
    return queue.size() + inFlight;
  }

  /**
   * Stops taking events and keeps delivering what is buffered until it is all delivered or the
   * grace period is over; whatever is left then is dropped and counted.
   */
  public void stop() {
    stopDeadline = System.nanoTime() + options.shutdownGrace().toNanos();
    stopping = true;
    try {
      worker.join(options.shutdownGrace().plus(options.requestTimeout()).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.interrupt();
    List<ForwardedEvent> left = new ArrayList<>();
    queue.drainTo(left);
    if (!left.isEmpty()) {
      metrics.dropped(DropReason.shutdown, left.size());
      LOG.warnf("shutting down with %d events not delivered to transcript-service", left.size());
    }
  }

  private void run() {
    try {
      while (!(stopping && queue.isEmpty())) {
        List<ForwardedEvent> batch = nextBatch();
        if (!batch.isEmpty()) {
          deliver(batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Up to {@code batchSize} events and {@code batchBytes} of them (transcript-service limits its
   * body size; one event alone may exceed it only as far as hook-ingest's own 1 MiB limit allows).
   */
  private List<ForwardedEvent> nextBatch() throws InterruptedException {
    List<ForwardedEvent> batch = new ArrayList<>();
    ForwardedEvent first = queue.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
    if (first == null) {
      return batch;
    }
    batch.add(first);
    long bytes = first.approximateBytes();
    long lingerUntil = System.nanoTime() + options.linger().toNanos();
    while (batch.size() < options.batchSize() && !stopping) {
      ForwardedEvent next =
          queue.peek(); // this thread is the only consumer: peek, then poll, is safe
      if (next == null) {
        long left = lingerUntil - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(left, LINGER_STEP.toNanos()));
        } catch (InterruptedException e) {
          metrics.dropped(DropReason.shutdown, batch.size());
          throw e;
        }
        continue;
      }
      if (bytes + next.approximateBytes() > options.batchBytes()) {
        break;
      }
      queue.poll();
      batch.add(next);
      bytes += next.approximateBytes();
    }
    inFlight = batch.size();
    return batch;
  }

  private void deliver(List<ForwardedEvent> batch) throws InterruptedException {
    long backoff = options.initialBackoff().toNanos();
    try {
      List<ForwardedEvent> pending = batch;
      while (true) {
        BatchSender.Outcome outcome;
        try {
          outcome = sender.send(pending);
        } catch (InterruptedException e) {
          // stop() interrupts a request still waiting when its grace is over: the batch is lost.
          metrics.dropped(DropReason.shutdown, pending.size());
          throw e;
        }
        if (outcome.result() == BatchSender.Result.DELIVERED) {
          metrics.forwarded(pending.size());
          return;
        }
        if (outcome.result() == BatchSender.Result.REFUSED) {
          if (outcome.refused().isEmpty() || outcome.refused().size() >= pending.size()) {
            metrics.dropped(DropReason.rejected, pending.size());
            return;
          }
          // Only the events transcript-service named are malformed: give those up, send the rest
          // again.
          metrics.dropped(DropReason.rejected, outcome.refused().size());
          List<ForwardedEvent> rest = new ArrayList<>(pending.size() - outcome.refused().size());
          for (int i = 0; i < pending.size(); i++) {
            if (!outcome.refused().contains(i)) {
              rest.add(pending.get(i));
            }
          }
          pending = rest;
          inFlight = rest.size();
          continue;
        }
        metrics.forwardFailure();
        long wait = backoff;
        if (stopping) {
          long left = stopDeadline - System.nanoTime();
          if (left <= 0) {
            metrics.dropped(DropReason.shutdown, pending.size());
            LOG.warnf(
                "shutting down: gave up on a batch of %d events transcript-service did not take",
                pending.size());
            return;
          }
          wait = Math.min(wait, left);
        }
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          metrics.dropped(DropReason.shutdown, pending.size());
          throw e;
        }
        backoff = Math.min(backoff * 2, options.maxBackoff().toNanos());
      }
    } finally {
      long bytes = 0;
      for (ForwardedEvent event : batch) {
        bytes += event.approximateBytes();
      }
      bufferedBytes.addAndGet(-bytes);
      inFlight = 0;
    }
  }
}
