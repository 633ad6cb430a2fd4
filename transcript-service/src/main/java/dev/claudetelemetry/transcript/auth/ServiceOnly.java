package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.transcript.problem.ApiProblem;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The service-token APIs' own check, behind {@link TokenFilter}'s: a request a user token
 * authenticated never reaches them, however its path was spelled on the way in.
 */
public final class ServiceOnly {
  private ServiceOnly() {}

  public static void require(SecurityContext security) {
    if (security != null && security.getUserPrincipal() != null) {
      throw new ApiProblem(
          403,
          "user-token-not-accepted",
          "Forbidden",
          "a user token uploads that user's own transcripts only; this API takes the service"
              + " token");
    }
  }
}
