package dev.claudetelemetry.policy.decisions;

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
  static final String PROBLEM_JSON = "application/problem+json";

  @ServerExceptionMapper
  public Response problem(ProblemException e) {
    return respond(e.toProblem());
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String title =
        switch (status) {
          case 404 -> "No such resource";
          case 405 -> "Method not allowed";
          case 406 -> "Not acceptable";
          case 413 -> "Request body too large";
          case 415 -> "Unsupported media type";
          default ->
              Response.Status.fromStatusCode(status) == null
                  ? "Request refused"
                  : Response.Status.fromStatusCode(status).getReasonPhrase();
        };
    if (status >= 500) {
      LOG.error("Request failed", e);
      return respond(
          new Problem(
              Problem.TYPE_BASE + "internal",
              "Internal error",
              status,
              "the service failed; see its log",
              null));
    }
    return respond(
        new Problem(Problem.TYPE_BASE + "http-" + status, title, status, e.getMessage(), null));
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("Unexpected failure while handling a request", e);
    return respond(
        new Problem(
            Problem.TYPE_BASE + "internal",
            "Internal error",
            500,
            "the service failed; see its log",
            null));
  }

  static Response respond(Problem problem) {
    return Response.status(problem.status()).type(PROBLEM_JSON).entity(problem).build();
  }
}
