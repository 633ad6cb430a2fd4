package dev.claudetelemetry.transcript.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become RFC 9457 problem details. Never a stack trace, never a class name.
 */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
  public static final String PROBLEM_JSON = "application/problem+json";
  private static final String TYPE_BASE = "https://claude-telemetry.dev/problems/";

  @ServerExceptionMapper
  public Response apiProblem(ApiProblem problem) {
    return problem(
        problem.status(),
        problem.slug(),
        problem.title(),
        problem.getMessage(),
        problem.extensions());
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e) {
    return problem(
        400,
        "malformed-json",
        "Malformed JSON",
        "the body is not valid JSON: " + e.getOriginalMessage(),
        Map.of());
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(e);
    }
    String title =
        Response.Status.fromStatusCode(status) == null
            ? "Request refused"
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException json) {
      return unreadableJson(json);
    }
    return problem(status, "http-" + status, title, e.getMessage(), Map.of());
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    // Only the kind of failure: messages of database errors can quote stored values, which may be
    // secrets.
    String state = e instanceof java.sql.SQLException sql ? " SQLState " + sql.getSQLState() : "";
    LOG.errorf("unexpected error: %s%s", e.getClass().getName(), state);
    return problem(
        500,
        "internal",
        "Internal error",
        "the server could not complete the request; nothing was half stored (each write is one transaction)",
        Map.of());
  }

  public static Response problem(
      int status, String slug, String title, String detail, Map<String, Object> ext) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", TYPE_BASE + slug);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.putAll(ext);
    return Response.status(status).type(PROBLEM_JSON).entity(body).build();
  }
}
