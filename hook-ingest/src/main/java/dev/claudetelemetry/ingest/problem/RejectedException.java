package dev.claudetelemetry.ingest.problem;

import dev.claudetelemetry.servicesupport.problem.ProblemException;

/**
 * A hook refused in a way that is counted: {@link ProblemMappers} answers it as any problem and
 * adds one to {@code claude_hook_ingest_rejected_total} with the rejection's reason.
 */
public final class RejectedException extends ProblemException {
  private final Rejection rejection;

  public RejectedException(Rejection rejection, String detail) {
    super(rejection.type(), detail);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }
}
