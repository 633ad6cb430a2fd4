package dev.claudetelemetry.transcript.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.claudetelemetry.servicesupport.problem.Problem;
import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemResponses;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become RFC 9457 problem details (refusals of tokens: {@code
 * auth.AuthProblemMappers}). Never a stack trace, never a class name.
 */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException problem) {
    return ProblemResponses.of(problem.problem());
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e) {
    return ProblemResponses.of(
        Problem.of(ProblemType.NOT_JSON, "the body is not valid JSON: " + e.getOriginalMessage()));
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    if (status.getStatusCode() >= 500) {
      return unexpected(e);
    }
    if (e.getCause() instanceof JsonProcessingException json) {
      return unreadableJson(json);
    }
    return ProblemResponses.of(
        Problem.forStatus(status.getStatusCode(), status.getReasonPhrase(), e.getMessage()));
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    // Only the kind of failure: messages of database errors can quote stored values, which may be
    // secrets.
    String state = e instanceof java.sql.SQLException sql ? " SQLState " + sql.getSQLState() : "";
    LOG.errorf("unexpected error: %s%s", e.getClass().getName(), state);
    return ProblemResponses.of(
        Problem.of(
            ProblemType.INTERNAL,
            "the server could not complete the request; nothing was half stored (each write is one"
                + " transaction)"));
  }
}
