package dev.claudetelemetry.servicesupport.problem;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** A {@link Problem} as a JAX-RS response, for the services' exception mappers. */
public final class ProblemResponses {
  private ProblemResponses() {}

  public static Response of(Problem problem) {
    return builder(problem).build();
  }

  public static Response.ResponseBuilder builder(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
  }

  /** A 401 also says which scheme to use (RFC 9110 requires the header on every 401). */
  public static Response unauthorized(String realm, String detail) {
    return builder(Problem.of(ProblemType.UNAUTHORIZED, detail))
        .header(
            HttpHeaders.WWW_AUTHENTICATE,
            realm == null ? "Bearer" : "Bearer realm=\"" + realm + "\"")
        .build();
  }
}
