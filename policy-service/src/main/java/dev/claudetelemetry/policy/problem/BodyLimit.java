package dev.claudetelemetry.policy.problem;

import dev.claudetelemetry.policy.PolicyServiceConfig;
import dev.claudetelemetry.policy.auth.ApiPaths;
import dev.claudetelemetry.servicesupport.problem.Problem;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a declared body over {@code policy.limits.max-body-bytes} before it is read, after the
 * token check (a caller without the token learns nothing about the limits). Chunked bodies, which
 * declare no length, are checked by the resource once read.
 */
public class BodyLimit {

  private final int maxBodyBytes;

  public BodyLimit(PolicyServiceConfig config) {
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  @ServerRequestFilter(preMatching = true, priority = Priorities.USER)
  public Optional<Response> check(ContainerRequestContext request) {
    int length = request.getLength();
    if (length <= maxBodyBytes || !ApiPaths.isApi(request.getUriInfo().getPath())) {
      return Optional.empty();
    }
    return Optional.of(
        ProblemResponses.of(
            Problem.of(
                ProblemType.BODY_TOO_LARGE,
                "the body is " + length + " bytes; the limit is " + maxBodyBytes)));
  }
}
