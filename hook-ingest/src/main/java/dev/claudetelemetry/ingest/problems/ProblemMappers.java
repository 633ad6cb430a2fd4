package dev.claudetelemetry.ingest.problems;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.spool.NotSpooledException;
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

  /**
   * The spool did not take an observational event (full, disk error, shutting down): the hook is
   * told so rather than told it is recorded. Counted in claude_hook_forward_dropped_total.
   */
  @ServerExceptionMapper
  public Response notSpooled(NotSpooledException e) {
    return problem(
        new Problem(
            "https://claude-telemetry.dev/problems/hook-ingest/not-recorded",
            "Hook event not recorded",
            503,
            switch (e.reason()) {
              case FULL ->
                  "hook-ingest's spool is full: transcript-service has not been taking events";
              case FAILED -> "hook-ingest could not write the event to its spool";
              case CLOSED -> "hook-ingest is shutting down";
            }));
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
