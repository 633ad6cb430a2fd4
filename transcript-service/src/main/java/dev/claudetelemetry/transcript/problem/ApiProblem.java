package dev.claudetelemetry.transcript.problem;

import java.util.Map;

/**
 * A request this service refuses, with what RFC 9457 needs to say why. Thrown anywhere; turned into
 * {@code application/problem+json} by {@link ProblemMappers} only.
 */
public class ApiProblem extends RuntimeException {
  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, Object> extensions;

  public ApiProblem(
      int status, String slug, String title, String detail, Map<String, Object> extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extensions = Map.copyOf(extensions);
  }

  public ApiProblem(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, Map.of());
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, "bad-request", "Bad request", detail);
  }

  public static ApiProblem unauthorized(String detail) {
    return new ApiProblem(401, "unauthorized", "Unauthorized", detail);
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "not-found", "Not found", detail);
  }

  public static ApiProblem tooLarge(String detail) {
    return new ApiProblem(413, "body-too-large", "Request body too large", detail);
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public Map<String, Object> extensions() {
    return extensions;
  }
}
