package dev.claudetelemetry.ingest.problems;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place errors become RFC 9457 problem details, and refusals are counted. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  private final HookMetrics metrics;

  ProblemMappers(HookMetrics metrics) {
    this.metrics = metrics;
  }

  @ServerExceptionMapper
  public Response rejected(RejectedException e) {
    return refuse(e.rejection(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response unsupportedMediaType(NotSupportedException e) {
    return refuse(
        Rejection.UNSUPPORTED_MEDIA_TYPE,
        "send the hook input with Content-Type: application/json");
  }

  /** Routing errors (404, 405, 406): not a hook refused, so not counted. */
  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    return problem(
        new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), null));
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("unexpected error handling a request", e);
    return problem(
        new Problem(
            "about:blank",
            "Internal Server Error",
            500,
            "hook-ingest failed unexpectedly; the error is in its log"));
  }

  Response refuse(Rejection rejection, String detail) {
    metrics.rejected(rejection);
    Response.ResponseBuilder response =
        Response.status(rejection.status())
            .type(Problem.MEDIA_TYPE)
            .entity(Problem.of(rejection, detail));
    if (rejection == Rejection.UNAUTHORIZED) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"hook-ingest\"");
    }
    return response.build();
  }

  private static Response problem(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }
}
