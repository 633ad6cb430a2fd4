package dev.claudetelemetry.policy.auth;

import dev.claudetelemetry.policy.PolicyServiceConfig;
import dev.claudetelemetry.servicesupport.auth.BearerToken;
import dev.claudetelemetry.servicesupport.auth.TokenSet;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code POLICY_SERVICE_TOKEN}, when set, is required on every {@code /v1/*} request, checked
 * before the body is read (compared in constant time, never logged). Without it the API is open:
 * the chart's NetworkPolicy lets only hook-ingest reach the service.
 */
public class ServiceTokenFilter {

  private final TokenSet tokens;

  public ServiceTokenFilter(PolicyServiceConfig config) {
    this.tokens = TokenSet.ofOne(config.serviceToken());
  }

  @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
  public Optional<Response> check(ContainerRequestContext request) {
    if (!tokens.isConfigured() || !ApiPaths.isApi(request.getUriInfo().getPath())) {
      return Optional.empty();
    }
    String presented =
        BearerToken.from(request.getHeaderString(HttpHeaders.AUTHORIZATION)).orElse(null);
    if (tokens.accepts(presented)) {
      return Optional.empty();
    }
    return Optional.of(
        ProblemResponses.unauthorized(
            "policy-service", "send Authorization: Bearer <POLICY_SERVICE_TOKEN>"));
  }
}
