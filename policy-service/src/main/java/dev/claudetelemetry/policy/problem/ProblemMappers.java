package dev.claudetelemetry.policy.problem;

import dev.claudetelemetry.servicesupport.problem.Problem;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error policy-service answers, as RFC 9457 problem details, in one place. Never a stack
 * trace.
 */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    return ProblemResponses.of(e.problem());
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    if (status.getStatusCode() >= 500) {
      return unexpected(e);
    }
    return ProblemResponses.of(
        Problem.forStatus(status.getStatusCode(), status.getReasonPhrase(), e.getMessage()));
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("Unexpected failure while handling a request", e);
    return ProblemResponses.of(Problem.of(ProblemType.INTERNAL, "the service failed; see its log"));
  }
}
