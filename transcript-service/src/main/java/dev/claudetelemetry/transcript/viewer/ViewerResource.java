package dev.claudetelemetry.transcript.viewer;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.auth.Roles;
import dev.claudetelemetry.transcript.search.SearchHit;
import dev.claudetelemetry.transcript.search.SearchService;
import dev.claudetelemetry.transcript.sessions.ReadParams;
import dev.claudetelemetry.transcript.sessions.SessionFilter;
import dev.claudetelemetry.transcript.sessions.SessionQueries;
import dev.claudetelemetry.transcript.sessions.SessionSummary;
import dev.claudetelemetry.transcript.sessions.TranscriptExport;
import dev.claudetelemetry.transcript.upload.Identifiers;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
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

/**
 * The server-rendered viewer: {@code /sessions} (list, filters, search), {@code /sessions/{id}} and
 * its files.
 */
@RolesAllowed({Roles.READER, Roles.VIEWER})
@Path("/sessions")
@Produces(MediaType.TEXT_HTML)
public class ViewerResource {
  private static final int MAX_LINES = 5_000;

  private final SessionQueries queries;
  private final SearchService search;
  private final ConversationBuilder conversations;
  private final TranscriptExport export;

  public ViewerResource(
      SessionQueries queries,
      SearchService search,
      ConversationBuilder conversations,
      TranscriptExport export) {
    this.queries = queries;
    this.search = search;
    this.conversations = conversations;
    this.export = export;
  }

  /** What the filter form shows back. */
  public record Filters(String user, String since, String until, String q, boolean hadDenials) {}

  @CheckedTemplate
  static class Templates {
    static native TemplateInstance list(
        Filters filters, List<SessionSummary> sessions, List<SearchHit> hits);

    static native TemplateInstance session(
        SessionSummary session,
        List<SessionQueries.FileSummary> files,
        List<SessionQueries.DecidedEvent> denials,
        List<SessionQueries.Rewrite> rewrites,
        Conversation main,
        List<Conversation> otherSubagents,
        boolean capped);
  }

  @GET
  public TemplateInstance list(
      @QueryParam("user") String user,
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("q") String q,
      @QueryParam("hadDenials") String hadDenials)
      throws SQLException {
    String text = ReadParams.text("q", q, 500);
    Boolean denials = ReadParams.flag("hadDenials", hadDenials);
    SessionFilter filter =
        new SessionFilter(
            ReadParams.text("user", user, 256),
            ReadParams.instant("since", since),
            ReadParams.instant("until", until),
            text,
            Boolean.TRUE.equals(denials) ? true : null,
            200,
            0);
    List<SearchHit> hits =
        text == null
            ? List.of()
            : search.search(
                new SearchService.Query(
                    text, null, filter.user(), filter.since(), filter.until(), 20));
    Filters shown =
        new Filters(
            blank(user), blank(since), blank(until), blank(q), Boolean.TRUE.equals(denials));
    return Templates.list(shown, queries.list(filter), hits);
  }

  @GET
  @Path("/{id}")
  public TemplateInstance session(@PathParam("id") String id) throws SQLException {
    if (!Identifiers.isValid(id)) {
      throw ProblemException.badRequest("session id must match [A-Za-z0-9._-]{1,128}");
    }
    SessionSummary session =
        queries
            .find(id)
            .orElseThrow(() -> ProblemException.notFound("no session " + id + " is stored"));
    List<SessionQueries.StoredTranscriptLine> lines = queries.lines(id, MAX_LINES + 1);
    boolean capped = lines.size() > MAX_LINES;
    List<SessionQueries.DecidedEvent> events = queries.events(id, 10_000);
    ConversationBuilder.Built built =
        conversations.build(capped ? lines.subList(0, MAX_LINES) : lines, events);
    List<SessionQueries.DecidedEvent> denials =
        events.stream()
            .filter(e -> "deny".equals(e.verdict()) || "fail-closed".equals(e.source()))
            .toList();
    return Templates.session(
        session,
        queries.files(id),
        denials,
        queries.rewrites(id),
        built.main(),
        built.unlinkedSubagents(),
        capped);
  }

  /**
   * The viewer's "Files" links: the same JSONL as {@code GET /v1/sessions/{id}/transcript}, under
   * {@code /sessions} so the browser sends the viewer's cookie (its path is {@code /sessions}) and
   * the read token it holds is checked as for every viewer page. Served as UTF-8 text, which a
   * browser shows instead of downloading.
   */
  @GET
  @Path("/{id}/transcript")
  @Produces(MediaType.TEXT_PLAIN)
  public Response transcript(@PathParam("id") String id, @QueryParam("file") String file)
      throws SQLException {
    return export.jsonl(id, file, MediaType.TEXT_PLAIN + ";charset=UTF-8");
  }

  private static String blank(String value) {
    return value == null ? "" : value;
  }
}
