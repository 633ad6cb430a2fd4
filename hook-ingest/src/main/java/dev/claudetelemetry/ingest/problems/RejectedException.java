package dev.claudetelemetry.ingest.problems;

/**
 * Thrown wherever a request is refused; {@link ProblemMappers} turns it into a problem response.
 */
public final class RejectedException extends RuntimeException {
  private final Rejection rejection;

  public RejectedException(Rejection rejection, String detail) {
    super(detail, null, false, false);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }
}
