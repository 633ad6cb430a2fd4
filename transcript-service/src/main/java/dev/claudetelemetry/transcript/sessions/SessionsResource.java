package dev.claudetelemetry.transcript.sessions;

import dev.claudetelemetry.transcript.problem.ApiProblem;
import dev.claudetelemetry.transcript.upload.Identifiers;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/** The read API over sessions (read token). */
@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionsResource {
  public static final String NDJSON = "application/x-ndjson";

  /**
   * {@code main=120,agent-a1=30}: the files of a whole-session export, in order, with their line
   * counts.
   */
  public static final String FILES_HEADER = "X-Claude-Telemetry-Files";

  /** Not a valid file id, so it cannot name one. */
  private static final String ALL_FILES = "*";

  private final SessionQueries queries;

  public SessionsResource(SessionQueries queries) {
    this.queries = queries;
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

  /**
   * The stored lines of one file (default: the main transcript) in order, as JSONL. {@code file=*}
   * exports the whole session: main first, then each subagent file, with each file's line count in
   * a response header, so the JSONL itself stays exactly the stored lines.
   */
  @GET
  @Path("/{id}/transcript")
  @Produces(NDJSON)
  public Response transcript(@PathParam("id") String id, @QueryParam("file") String file)
      throws SQLException {
    existing(id);
    boolean all = ALL_FILES.equals(file);
    String fileId = all ? null : file == null ? "main" : Identifiers.fileId(file);
    StreamingOutput body =
        out -> {
          try {
            queries.writeJsonl(id, fileId, out);
          } catch (SQLException e) {
            throw new IOException("reading the transcript failed", e);
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
        };
    if (all) {
      String files =
          queries.files(id).stream()
              .map(f -> f.fileId() + "=" + f.lines())
              .collect(Collectors.joining(","));
      return Response.ok(body, NDJSON)
          .header(FILES_HEADER, files)
          .header("Content-Disposition", "attachment; filename=\"" + id + ".jsonl\"")
          .build();
    }
    return Response.ok(body, NDJSON)
        .header("Content-Disposition", "inline; filename=\"" + id + "-" + fileId + ".jsonl\"")
        .build();
  }

  private SessionSummary existing(String id) throws SQLException {
    Identifiers.sessionId(id);
    return queries
        .find(id)
        .orElseThrow(() -> ApiProblem.notFound("no session " + id + " is stored"));
  }
}
