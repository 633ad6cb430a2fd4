package dev.claudetelemetry.policy.decisions;

import java.util.List;

/** A request the service refuses, with what RFC 9457 needs to say why. */
public final class ProblemException extends RuntimeException {

  private final int status;
  private final String kind;
  private final String title;
  private final List<Problem.BatchError> errors;

  public ProblemException(int status, String kind, String title, String detail) {
    this(status, kind, title, detail, null);
  }

  public ProblemException(
      int status, String kind, String title, String detail, List<Problem.BatchError> errors) {
    super(detail, null, false, false);
    this.status = status;
    this.kind = kind;
    this.title = title;
    this.errors = errors;
  }

  public static ProblemException badInput(String detail) {
    return new ProblemException(
        400, "invalid-hook-input", "The request body is not a valid hook input", detail);
  }

  Problem toProblem() {
    return new Problem(Problem.TYPE_BASE + kind, title, status, getMessage(), errors);
  }

  int status() {
    return status;
  }
}
