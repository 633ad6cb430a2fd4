package dev.claudetelemetry.ingest.forwarding;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.metrics.HookMetrics.DropReason;
import dev.claudetelemetry.ingest.spool.NotSpooledException;
import dev.claudetelemetry.ingest.spool.Position;
import dev.claudetelemetry.ingest.spool.Spool;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The backlog on disk ({@code HOOK_INGEST_SPOOL_DIR}): an event is in the spool before its hook is
 * answered, and stays there until transcript-service has acknowledged it, across restarts and
 * crashes.
 *
 * <p>An observational event's answer waits for the sync of its group; a guarded event's
 * (PreToolUse, PermissionRequest) only for its write, which survives hook-ingest being killed:
 * Claude Code holds the tool call until that answer, and the sync follows within the same group
 * commit.
 */
final class SpoolBacklog implements Backlog {

  private static final Logger LOG = Logger.getLogger(SpoolBacklog.class);

  private final Spool spool;
  private final HookMetrics metrics;

  /**
   * Set once a batch was given up on at shutdown: nothing after it may be acknowledged, or its
   * events would be skipped at the next start.
   */
  private volatile boolean abandoned;

  SpoolBacklog(Spool spool, HookMetrics metrics) {
    this.spool = spool;
    this.metrics = metrics;
  }

  @Override
  public CompletionStage<Void> append(byte[] event, boolean guarded) {
    return spool
        .append(event, guarded ? Spool.Durability.WRITTEN : Spool.Durability.SYNCED)
        .whenComplete(
            (ignored, failure) -> {
              if (failure instanceof NotSpooledException refused) {
                metrics.dropped(dropReason(refused.reason()), 1);
              }
            });
  }

  private static DropReason dropReason(NotSpooledException.Reason reason) {
    return switch (reason) {
      case FULL -> DropReason.spool_full;
      case FAILED -> DropReason.spool_error;
      case CLOSED -> DropReason.shutdown;
    };
  }

  @Override
  public Batch next(
      int maxEvents, long maxBytes, Duration linger, Duration idle, BooleanSupplier stopping)
      throws InterruptedException {
    Spool.Read read = spool.read(maxEvents, maxBytes, linger.toNanos(), idle.toNanos(), stopping);
    return new Batch(read.records(), read.bytes(), read.end());
  }

  @Override
  public void handled(Batch batch) {
    if (!abandoned) {
      spool.acknowledge((Position) batch.end(), batch.events().size());
    }
  }

  @Override
  public void abandoned(Batch batch, int undelivered) {
    abandoned = true;
    LOG.infof("shutting down: %d events stay in the spool for the next start", undelivered);
  }

  @Override
  public long pending() {
    return spool.unacknowledged();
  }

  @Override
  public void wake() {
    spool.wake();
  }

  @Override
  public void close() {
    long left = spool.unacknowledged();
    spool.close();
    if (left > 0) {
      LOG.infof("%d events not yet delivered stay in the spool for the next start", left);
    }
  }
}
