package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.servicesupport.problem.Problem;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Refusals of credentials as problem details that say which token the endpoint takes. Quarkus
 * raises them for the matched method's {@code @RolesAllowed}: no token, a token that is none of the
 * configured ones, or one whose roles the method does not admit. The last is 401 too (the token is
 * no credential for this API), except a user token on a service API: 403 {@code
 * user-token-not-accepted}, counted, since only an agent with its pod's token does that.
 */
public class AuthProblemMappers {

  private final AccessTokens tokens;
  private final TranscriptMetrics metrics;
  private final SecurityIdentity identity;

  public AuthProblemMappers(
      AccessTokens tokens, TranscriptMetrics metrics, SecurityIdentity identity) {
    this.tokens = tokens;
    this.metrics = metrics;
    this.identity = identity;
  }

  @ServerExceptionMapper
  public Response noToken(UnauthorizedException e, SimpleResourceInfo resource) {
    return unauthorized(resource, null);
  }

  @ServerExceptionMapper
  public Response wrongToken(AuthenticationFailedException e, SimpleResourceInfo resource) {
    return unauthorized(resource, e.getMessage());
  }

  @ServerExceptionMapper
  public Response notForThisApi(ForbiddenException e, SimpleResourceInfo resource) {
    Set<String> admitted = admitted(resource);
    if (identity.hasRole(Roles.USER) && admitted.contains(Roles.SERVICE)) {
      metrics.accessDenied(TranscriptMetrics.DENIED_SERVICE_API);
      return ProblemResponses.of(
          Problem.of(
              ProblemType.USER_TOKEN_NOT_ACCEPTED,
              "a user token uploads that user's own transcripts only; this API takes the service"
                  + " token"));
    }
    return unauthorized(resource, "this token is not accepted here");
  }

  private Response unauthorized(SimpleResourceInfo resource, String why) {
    Set<String> admitted = admitted(resource);
    String required;
    if (admitted.contains(Roles.SERVICE)) {
      boolean users = admitted.contains(Roles.USER);
      if (!tokens.write().isConfigured() && !(users && tokens.hasUserTokens())) {
        return ProblemResponses.unauthorized(
            null,
            "TRANSCRIPT_WRITE_TOKEN"
                + (users ? " (or CLAUDE_TELEMETRY_USER_TOKENS_DIR)" : "")
                + " is not configured on the server, so this API is closed");
      }
      required = users ? "a valid write or user token" : "a valid write token";
    } else {
      if (!tokens.read().isConfigured()) {
        return ProblemResponses.unauthorized(
            null, "TRANSCRIPT_READ_TOKEN is not configured on the server, so this API is closed");
      }
      required = "a valid read token";
    }
    return ProblemResponses.unauthorized(
        null,
        (why == null ? "" : why + ": ")
            + required
            + " is required as 'Authorization: Bearer <token>'"
            + (admitted.contains(Roles.VIEWER)
                ? " (or once as ?token=, which sets a cookie)"
                : ""));
  }

  /** The roles the matched method admits (its own annotation, else its class's). */
  private static Set<String> admitted(SimpleResourceInfo resource) {
    if (resource == null || resource.getResourceClass() == null) {
      return Set.of();
    }
    RolesAllowed roles = null;
    try {
      Method method =
          resource
              .getResourceClass()
              .getMethod(resource.getMethodName(), resource.parameterTypes());
      roles = method.getAnnotation(RolesAllowed.class);
    } catch (NoSuchMethodException e) {
      // falls back to the class
    }
    if (roles == null) {
      roles = resource.getResourceClass().getAnnotation(RolesAllowed.class);
    }
    return roles == null ? Set.of() : Set.of(roles.value());
  }
}
