package dev.claudetelemetry.ingest.problem;

import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.spool.NotSpooledException;
import dev.claudetelemetry.servicesupport.problem.Problem;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import jakarta.inject.Singleton;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place errors become RFC 9457 problem details, and refusals are counted. */
@Singleton
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
  public Response problem(ProblemException e) {
    return ProblemResponses.of(e.problem());
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
    return ProblemResponses.of(
        Problem.of(
            ProblemType.NOT_RECORDED,
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
    if (status.getStatusCode() >= 500) {
      return unexpected(e);
    }
    return ProblemResponses.of(
        Problem.forStatus(status.getStatusCode(), status.getReasonPhrase(), null));
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("unexpected error handling a request", e);
    return ProblemResponses.of(
        Problem.of(
            ProblemType.INTERNAL, "hook-ingest failed unexpectedly; the error is in its log"));
  }

  /**
   * The response for a failure raised outside the REST layer ({@code HookRoute}), chosen as the
   * REST layer chooses among the mappers above: by the most specific exception type.
   */
  public Response forFailure(Throwable failure) {
    if (failure instanceof RejectedException e) {
      return rejected(e);
    }
    if (failure instanceof ProblemException e) {
      return problem(e);
    }
    if (failure instanceof NotSpooledException e) {
      return notSpooled(e);
    }
    if (failure instanceof RuntimeException e) {
      return unexpected(e);
    }
    return unexpected(new IllegalStateException(failure));
  }

  Response refuse(Rejection rejection, String detail) {
    metrics.rejected(rejection);
    return rejection == Rejection.UNAUTHORIZED
        ? ProblemResponses.unauthorized("hook-ingest", detail)
        : ProblemResponses.of(Problem.of(rejection.type(), detail));
  }
}
