package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.problems.RejectedException;
import dev.claudetelemetry.ingest.problems.Rejection;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1/*} request needs {@code Authorization: Bearer <HOOK_INGEST_TOKEN>}; the check
 * runs before the body is read. Metrics and health live outside {@code /v1} and stay open for
 * Prometheus and the kubelet.
 */
public class HookTokenFilter {

  private static final String BEARER = "Bearer ";

  private final BearerTokens tokens;

  HookTokenFilter(BearerTokens tokens) {
    this.tokens = tokens;
  }

  @ServerRequestFilter
  public void authenticate(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith("/v1/")) {
      return;
    }
    if (!tokens.configured()) {
      throw new RejectedException(
          Rejection.UNAUTHORIZED,
          "hook-ingest has no HOOK_INGEST_TOKEN configured, so it accepts no hooks");
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new RejectedException(Rejection.UNAUTHORIZED, "send Authorization: Bearer <token>");
    }
    if (!tokens.matches(header.substring(BEARER.length()).strip())) {
      throw new RejectedException(Rejection.UNAUTHORIZED, "the bearer token is not valid");
    }
  }
}
