package dev.claudetelemetry.transcript.search;

import dev.claudetelemetry.transcript.config.TranscriptConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGStatement;

/**
 * Full-text search over transcript lines and hook events (PostgreSQL tsvector + GIN, web-search
 * syntax: words, "quoted phrases", -exclusions, or). Newest matches first; highlights are computed
 * only for the page returned, so their cost does not grow with the number of matches.
 */
@Singleton
public class SearchService {
  /**
   * Search windows: the newest recentWindow lines, then 4 times as many, then all. No third, wider
   * window: for frequent words the planner would AND the GIN bitmap with a time range covering most
   * of the table, slower than searching all lines (bench/transcript-service/results/2026-12-04.md).
   */
  private static final int WIDER_WINDOW_FACTOR = 4;

  private static final long BOUNDARY_TTL_NANOS = 30_000_000_000L;
  private static final String START = "\u0002";
  private static final String STOP = "\u0003";
  private static final String HEADLINE_OPTIONS =
      "StartSel="
          + START
          + ", StopSel="
          + STOP
          + ", MaxWords=30, MinWords=8, MaxFragments=2, FragmentDelimiter=\" … \"";

  private final AgroalDataSource dataSource;
  private final int recentWindow;
  private final Map<Integer, Boundary> boundaries = new ConcurrentHashMap<>();

  public SearchService(AgroalDataSource dataSource, TranscriptConfig config) {
    this.dataSource = dataSource;
    this.recentWindow = config.search().recentWindow();
  }

  public record Query(
      String text, String sessionId, String user, Instant since, Instant until, int limit) {}

  public List<SearchHit> search(Query query) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      // A common word matches a large share of all lines, and fetching and sorting every match by
      // time is what
      // costs. Most searches want the newest matches, so look among the newest lines first (GIN and
      // time index
      // combined), then in a window four times as wide, and search everything only when neither
      // provably gives
      // the complete page. A word frequent overall but rare among the newest lines stops at the
      // wider window
      // instead of sorting all its matches.
      for (int window : new int[] {recentWindow, recentWindow * WIDER_WINDOW_FACTOR}) {
        Timestamp boundary = recentBoundary(c, window);
        if (boundary == null) {
          break;
        }
        List<SearchHit> recent = run(c, query, boundary);
        if (recent.size() == query.limit()
            && recent.stream().allMatch(hit -> isAtOrAfter(hit, boundary))) {
          return recent;
        }
      }
      return run(c, query, null);
    }
  }

  private record Boundary(Timestamp at, long readAtNanos) {}

  /**
   * Where the newest {@code window} lines begin (null when there are fewer), from the time index;
   * kept for 30 s. A boundary read earlier only makes its window hold more lines: the page found in
   * it is still complete, since the window is defined by the boundary, not by its size.
   */
  private Timestamp recentBoundary(Connection c, int window) throws SQLException {
    Boundary known = boundaries.get(window);
    if (known != null && System.nanoTime() - known.readAtNanos() < BOUNDARY_TTL_NANOS) {
      return known.at();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT occurred_at FROM transcript_lines ORDER BY occurred_at DESC NULLS LAST OFFSET ? LIMIT 1")) {
      ps.setInt(1, window);
      try (ResultSet rs = ps.executeQuery()) {
        Timestamp at = rs.next() ? rs.getTimestamp(1) : null;
        if (at != null) {
          boundaries.put(window, new Boundary(at, System.nanoTime()));
        }
        return at;
      }
    }
  }

  private static boolean isAtOrAfter(SearchHit hit, Timestamp boundary) {
    return hit.at() != null && !hit.at().isBefore(boundary.toInstant());
  }

  private static List<SearchHit> run(Connection c, Query query, Timestamp linesSince)
      throws SQLException {
    StringBuilder lineFilter = new StringBuilder();
    StringBuilder eventFilter = new StringBuilder();
    List<Object> lineArgs = new ArrayList<>();
    List<Object> eventArgs = new ArrayList<>();
    if (query.sessionId() != null) {
      lineFilter.append(" AND l.session_id = ?");
      eventFilter.append(" AND e.session_id = ?");
      lineArgs.add(query.sessionId());
      eventArgs.add(query.sessionId());
    }
    if (query.user() != null) {
      lineFilter.append(" AND l.session_id IN (SELECT id FROM sessions WHERE user_name = ?)");
      eventFilter.append(" AND e.session_id IN (SELECT id FROM sessions WHERE user_name = ?)");
      lineArgs.add(query.user());
      eventArgs.add(query.user());
    }
    if (query.since() != null) {
      lineFilter.append(" AND l.occurred_at >= ?");
      eventFilter.append(" AND e.received_at >= ?");
      lineArgs.add(Timestamp.from(query.since()));
      eventArgs.add(Timestamp.from(query.since()));
    }
    if (query.until() != null) {
      lineFilter.append(" AND l.occurred_at <= ?");
      eventFilter.append(" AND e.received_at <= ?");
      lineArgs.add(Timestamp.from(query.until()));
      eventArgs.add(Timestamp.from(query.until()));
    }
    if (linesSince != null) {
      lineFilter.append(" AND l.occurred_at >= ?");
      lineArgs.add(linesSince);
    }
    // The tsquery is written inline (not taken from q) so the planner sees the words and their
    // selectivity.
    // Lines are ordered by an expression, not the bare column: walking the time index newest-first
    // and
    // filtering is a trap for words that are frequent overall but absent from recent lines.
    String sql =
        """
        WITH q AS (SELECT websearch_to_tsquery('simple', ?) AS query),
        hits AS (
          (SELECT 'transcript' AS source, l.session_id, l.file_id, l.line_no, NULL::text AS event_id,
                  l.occurred_at AS at, l.line_type AS kind, l.search_text
           FROM transcript_lines l WHERE l.search @@ websearch_to_tsquery('simple', ?) %s
           ORDER BY l.occurred_at + interval '0 seconds' DESC NULLS LAST LIMIT ?)
          UNION ALL
          (SELECT 'event', e.session_id, NULL, NULL, e.id, e.received_at, e.event_name, e.search_text
           FROM hook_events e WHERE e.search @@ websearch_to_tsquery('simple', ?) %s
           ORDER BY e.received_at DESC LIMIT ?)
          ORDER BY at DESC NULLS LAST LIMIT ?)
        SELECT source, session_id, file_id, line_no, event_id, at, kind,
               ts_headline('simple', search_text, q.query, '%s')
        FROM hits, q ORDER BY at DESC NULLS LAST"""
            .formatted(lineFilter, eventFilter, HEADLINE_OPTIONS);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      // Plan every search with its actual words and window (a reused generic plan cannot see
      // either).
      ps.unwrap(PGStatement.class).setPrepareThreshold(0);
      int i = 1;
      ps.setString(i++, query.text());
      ps.setString(i++, query.text());
      for (Object arg : lineArgs) {
        ps.setObject(i++, arg);
      }
      ps.setInt(i++, query.limit());
      ps.setString(i++, query.text());
      for (Object arg : eventArgs) {
        ps.setObject(i++, arg);
      }
      ps.setInt(i++, query.limit());
      ps.setInt(i, query.limit());
      List<SearchHit> hits = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp at = rs.getTimestamp(6);
          int lineNo = rs.getInt(4);
          hits.add(
              new SearchHit(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.wasNull() ? null : lineNo,
                  rs.getString(5),
                  at == null ? null : at.toInstant(),
                  rs.getString(7),
                  highlight(rs.getString(8))));
        }
      }
      return hits;
    }
  }

  /** HTML-escapes the headline, then turns the match markers into {@code <mark>}. */
  static String highlight(String headline) {
    if (headline == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(headline.length() + 32);
    for (int i = 0; i < headline.length(); i++) {
      char ch = headline.charAt(i);
      switch (ch) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\u0002' -> out.append("<mark>");
        case '\u0003' -> out.append("</mark>");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }
}
