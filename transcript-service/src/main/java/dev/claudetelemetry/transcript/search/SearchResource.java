package dev.claudetelemetry.transcript.search;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.auth.Roles;
import dev.claudetelemetry.transcript.sessions.ReadParams;
import dev.claudetelemetry.transcript.upload.Identifiers;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/** {@code GET /v1/search?q=…} across transcripts and hook events (read token). */
@RolesAllowed(Roles.READER)
@Path("/v1/search")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {
  private final SearchService search;

  public SearchResource(SearchService search) {
    this.search = search;
  }

  public record SearchResults(String q, List<SearchHit> hits) {}

  @GET
  public SearchResults search(
      @QueryParam("q") String q,
      @QueryParam("session") String session,
      @QueryParam("user") String user,
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("limit") Integer limit)
      throws SQLException {
    String text = ReadParams.text("q", q, 500);
    if (text == null) {
      throw ProblemException.badRequest("'q' (the words to search for) is required");
    }
    if (session != null && !Identifiers.isValid(session)) {
      throw ProblemException.badRequest("'session' must be a session id");
    }
    SearchService.Query query =
        new SearchService.Query(
            text,
            session,
            ReadParams.text("user", user, 256),
            ReadParams.instant("since", since),
            ReadParams.instant("until", until),
            ReadParams.bounded("limit", limit, 20, 200));
    return new SearchResults(text, search.search(query));
  }
}
