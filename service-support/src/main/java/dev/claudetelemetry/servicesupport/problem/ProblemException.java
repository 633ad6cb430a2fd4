package dev.claudetelemetry.servicesupport.problem;

import java.util.Map;

/**
 * A request a service refuses, thrown wherever that is found out; the service's exception mapper
 * turns it into the {@link Problem} response (and counts it, where the service counts refusals). No
 * stack trace: it is an answer, not a failure.
 */
public class ProblemException extends RuntimeException {
  private final ProblemType type;
  private final Map<String, Object> extensions;

  public ProblemException(ProblemType type, String detail) {
    this(type, detail, Map.of());
  }

  public ProblemException(ProblemType type, String detail, Map<String, Object> extensions) {
    super(detail, null, false, false);
    this.type = type;
    this.extensions = Map.copyOf(extensions);
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(ProblemType.BAD_REQUEST, detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(ProblemType.NOT_FOUND, detail);
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(ProblemType.BODY_TOO_LARGE, detail);
  }

  public ProblemType type() {
    return type;
  }

  public int status() {
    return type.status();
  }

  public Problem problem() {
    return Problem.of(type, getMessage(), extensions);
  }
}
