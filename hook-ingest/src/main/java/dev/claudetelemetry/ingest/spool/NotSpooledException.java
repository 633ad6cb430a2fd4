package dev.claudetelemetry.ingest.spool;

/** An event the spool did not take: the hook must not be told it is recorded. */
public final class NotSpooledException extends RuntimeException {

  public enum Reason {
    /** The spool is at its byte bound. */
    FULL,
    /** The disk refused the write or the sync. */
    FAILED,
    /** hook-ingest is shutting down. */
    CLOSED
  }

  private final Reason reason;

  public NotSpooledException(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
