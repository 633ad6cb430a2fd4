package dev.claudetelemetry.transcript.toolcalls;

import dev.claudetelemetry.transcript.problem.ApiProblem;
import dev.claudetelemetry.transcript.sessions.ReadParams;
import dev.claudetelemetry.transcript.sessions.SessionsResource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The recorded PreToolUse calls of a window, oldest first, with the verdict recorded for each (read
 * token): what {@code check replay} judges again with a candidate policy. Keyset pages: the next
 * page starts {@code after} the last row's {@code receivedAt,id}; a page shorter than {@code limit}
 * is the last.
 */
@Path("/v1/tool-calls")
public class ToolCallsResource {
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;

  private final ToolCallQueries queries;

  public ToolCallsResource(ToolCallQueries queries) {
    this.queries = queries;
  }

  @GET
  @Produces(SessionsResource.NDJSON)
  public Response list(
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("user") String user,
      @QueryParam("after") String after,
      @QueryParam("limit") Integer limit) {
    Instant from = ReadParams.instant("since", since);
    if (from == null) {
      throw ApiProblem.badRequest(
          "'since' is required: the start of the window, e.g. 2026-11-30T00:00:00Z");
    }
    Instant to = ReadParams.instant("until", until);
    if (to != null && !to.isAfter(from)) {
      throw ApiProblem.badRequest("'until' must be later than 'since'");
    }
    ToolCallQueries.Page page =
        new ToolCallQueries.Page(
            from,
            to,
            ReadParams.text("user", user, 256),
            cursor(after),
            ReadParams.bounded("limit", limit, DEFAULT_LIMIT, MAX_LIMIT));
    StreamingOutput body =
        out -> {
          try {
            queries.writeNdjson(page, out);
          } catch (SQLException e) {
            throw new IOException("reading the recorded tool calls failed", e);
          }
        };
    return Response.ok(body, SessionsResource.NDJSON).build();
  }

  /** {@code <receivedAt>,<id>} of the last row of the previous page. */
  public static ToolCallQueries.Cursor cursor(String after) {
    if (after == null || after.isBlank()) {
      return null;
    }
    String detail =
        "'after' must be the last row's receivedAt and id joined by a comma,"
            + " e.g. 2026-12-01T10:00:00.123456Z,7b1c-42";
    int comma = after.indexOf(',');
    if (after.length() > 200 || comma < 0) {
      throw ApiProblem.badRequest(detail);
    }
    String id = after.substring(comma + 1);
    if (!id.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw ApiProblem.badRequest(detail);
    }
    try {
      return new ToolCallQueries.Cursor(Instant.parse(after.substring(0, comma)), id);
    } catch (DateTimeParseException e) {
      throw ApiProblem.badRequest(detail);
    }
  }
}
