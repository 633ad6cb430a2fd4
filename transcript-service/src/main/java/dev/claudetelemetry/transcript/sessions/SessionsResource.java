package dev.claudetelemetry.transcript.sessions;

import dev.claudetelemetry.transcript.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;

/** The read API over sessions (read token). */
@RolesAllowed(Roles.READER)
@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionsResource {
  public static final String NDJSON = "application/x-ndjson";

  private final SessionQueries queries;
  private final TranscriptExport export;

  public SessionsResource(SessionQueries queries, TranscriptExport export) {
    this.queries = queries;
    this.export = export;
  }

  public record SessionList(List<SessionSummary> sessions, int limit, int offset) {}

  public record SessionDetail(
      SessionSummary session,
      List<SessionQueries.FileSummary> files,
      List<SessionQueries.DecidedEvent> denials,
      List<SessionQueries.Rewrite> rewrites) {}

  @GET
  public SessionList list(
      @QueryParam("user") String user,
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("q") String text,
      @QueryParam("hadDenials") String hadDenials,
      @QueryParam("limit") Integer limit,
      @QueryParam("offset") Integer offset)
      throws SQLException {
    SessionFilter filter =
        new SessionFilter(
            ReadParams.text("user", user, 256),
            ReadParams.instant("since", since),
            ReadParams.instant("until", until),
            ReadParams.text("q", text, 500),
            ReadParams.flag("hadDenials", hadDenials),
            ReadParams.bounded("limit", limit, 50, 500),
            ReadParams.bounded("offset", offset, 0, 100_000));
    return new SessionList(queries.list(filter), filter.limit(), filter.offset());
  }

  @GET
  @Path("/{id}")
  public SessionDetail get(@PathParam("id") String id) throws SQLException {
    SessionSummary session = existing(id);
    List<SessionQueries.DecidedEvent> denials =
        queries.events(id, 10_000).stream()
            .filter(e -> "deny".equals(e.verdict()) || "fail-closed".equals(e.source()))
            .toList();
    return new SessionDetail(session, queries.files(id), denials, queries.rewrites(id));
  }

  /** The stored lines of a session's files as JSONL; see {@link TranscriptExport}. */
  @GET
  @Path("/{id}/transcript")
  @Produces(NDJSON)
  public Response transcript(@PathParam("id") String id, @QueryParam("file") String file)
      throws SQLException {
    return export.jsonl(id, file, NDJSON);
  }

  private SessionSummary existing(String id) throws SQLException {
    return export.existing(id);
  }
}
