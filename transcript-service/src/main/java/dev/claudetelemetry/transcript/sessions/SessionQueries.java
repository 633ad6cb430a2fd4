package dev.claudetelemetry.transcript.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Read-only SQL behind the session APIs and the viewer. */
@Singleton
public class SessionQueries {
  private static final String COLUMNS =
      "s.id, s.user_name, s.cwd, s.model, s.started_at, s.ended_at,"
          + " s.end_reason, s.last_activity_at, s.cost_usd, s.input_tokens, s.output_tokens, s.cache_read_tokens,"
          + " s.cache_creation_tokens, s.cost_source, s.denials";

  private final AgroalDataSource dataSource;

  public SessionQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  public record FileSummary(String fileId, long offset, int lines) {}

  /**
   * A transcript file found shorter than acknowledged ({@code shrank}) or with its acknowledged
   * bytes changed ({@code rewritten}): the lines from {@code firstLineNo} on are its new
   * generation.
   */
  public record Rewrite(
      String fileId,
      String kind,
      java.time.Instant detectedAt,
      long ackedOffset,
      Long reportedSize,
      int newGeneration,
      int firstLineNo) {}

  public record StoredTranscriptLine(
      String fileId,
      int lineNo,
      String lineType,
      Instant occurredAt,
      String text,
      boolean notJson,
      boolean truncated,
      boolean redacted) {}

  public record DecidedEvent(
      String id,
      Instant receivedAt,
      String eventName,
      String toolName,
      String toolUseId,
      String agentId,
      String verdict,
      String ruleId,
      String mode,
      String source,
      String reason,
      String payload,
      List<DryRunMatch> dryrun) {}

  /** A policy rule in dry run that matched the call: what it would have answered, and why. */
  public record DryRunMatch(String ruleId, String verdict, String reason) {}

  public List<SessionSummary> list(SessionFilter filter) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM sessions s WHERE true");
    List<Object> args = new ArrayList<>();
    if (filter.user() != null) {
      sql.append(" AND s.user_name = ?");
      args.add(filter.user());
    }
    if (filter.since() != null) {
      sql.append(" AND s.last_activity_at >= ?");
      args.add(Timestamp.from(filter.since()));
    }
    if (filter.until() != null) {
      sql.append(" AND coalesce(s.started_at, s.created_at) <= ?");
      args.add(Timestamp.from(filter.until()));
    }
    if (Boolean.TRUE.equals(filter.hadDenials())) {
      sql.append(" AND s.denials > 0");
    } else if (Boolean.FALSE.equals(filter.hadDenials())) {
      sql.append(" AND s.denials = 0");
    }
    if (filter.text() != null) {
      sql.append(
          " AND (EXISTS (SELECT 1 FROM transcript_lines l WHERE l.session_id = s.id"
              + " AND l.search @@ websearch_to_tsquery('simple', ?))"
              + " OR EXISTS (SELECT 1 FROM hook_events e WHERE e.session_id = s.id"
              + " AND e.search @@ websearch_to_tsquery('simple', ?)))");
      args.add(filter.text());
      args.add(filter.text());
    }
    sql.append(" ORDER BY s.last_activity_at DESC, s.id LIMIT ? OFFSET ?");
    args.add(filter.limit());
    args.add(filter.offset());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<SessionSummary> result = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(summary(rs));
        }
      }
      return result;
    }
  }

  public Optional<SessionSummary> find(String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM sessions s WHERE s.id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(summary(rs)) : Optional.empty();
      }
    }
  }

  public List<FileSummary> files(String sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT file_id, acked_offset, line_count FROM transcript_files WHERE session_id = ?"
                    + " ORDER BY file_id <> 'main', file_id")) {
      ps.setString(1, sessionId);
      List<FileSummary> files = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          files.add(new FileSummary(rs.getString(1), rs.getLong(2), rs.getInt(3)));
        }
      }
      return files;
    }
  }

  /** The session's transcript rewrites, oldest first. */
  public List<Rewrite> rewrites(String sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT file_id, kind, detected_at, acked_offset, reported_size, new_generation,"
                    + " first_line_no FROM transcript_rewrites WHERE session_id = ?"
                    + " ORDER BY detected_at, id")) {
      ps.setString(1, sessionId);
      List<Rewrite> rewrites = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long size = rs.getLong(5);
          rewrites.add(
              new Rewrite(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant(),
                  rs.getLong(4),
                  rs.wasNull() ? null : size,
                  rs.getInt(6),
                  rs.getInt(7)));
        }
      }
      return rewrites;
    }
  }

  /** Every stored line of the session, main file first, each file in order (for the viewer). */
  public List<StoredTranscriptLine> lines(String sessionId, int maxLines) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT file_id, line_no, line_type, occurred_at, coalesce(content::text, raw_text), not_json, truncated,
          redacted
        FROM transcript_lines WHERE session_id = ?
        ORDER BY file_id <> 'main', file_id, line_no LIMIT ?""")) {
      ps.setString(1, sessionId);
      ps.setInt(2, maxLines);
      List<StoredTranscriptLine> lines = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(
              new StoredTranscriptLine(
                  rs.getString(1),
                  rs.getInt(2),
                  rs.getString(3),
                  instant(rs, 4),
                  rs.getString(5),
                  rs.getBoolean(6),
                  rs.getBoolean(7),
                  rs.getBoolean(8)));
        }
      }
      return lines;
    }
  }

  private static final ObjectMapper DRY_RUN_JSON = new ObjectMapper();

  private static List<DryRunMatch> dryRun(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return List.of(DRY_RUN_JSON.readValue(json, DryRunMatch[].class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("hook_events.dryrun holds what the parser validated", e);
    }
  }

  public List<DecidedEvent> events(String sessionId, int maxEvents) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                """
        SELECT id, received_at, event_name, tool_name, tool_use_id, agent_id, verdict, rule_id, mode,
          decision_source, reason, payload::text, dryrun::text
        FROM hook_events WHERE session_id = ? ORDER BY received_at, id LIMIT ?""")) {
      ps.setString(1, sessionId);
      ps.setInt(2, maxEvents);
      List<DecidedEvent> events = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          events.add(
              new DecidedEvent(
                  rs.getString(1),
                  instant(rs, 2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getString(9),
                  rs.getString(10),
                  rs.getString(11),
                  rs.getString(12),
                  dryRun(rs.getString(13))));
        }
      }
      return events;
    }
  }

  /**
   * Writes one file's lines (or, for {@code fileId} null, every file's: main first, then the
   * subagents by id) as JSONL, in order, streaming from a server-side cursor so a 50 MB transcript
   * never sits in memory.
   */
  public void writeJsonl(String sessionId, String fileId, OutputStream out)
      throws SQLException, IOException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT coalesce(content::text, raw_text) FROM transcript_lines"
                  + " WHERE session_id = ? AND (file_id = ? OR ?::text IS NULL) ORDER BY file_id <> 'main', file_id, line_no")) {
        ps.setFetchSize(500);
        ps.setString(1, sessionId);
        ps.setString(2, fileId);
        ps.setString(3, fileId);
        BufferedWriter writer =
            new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            writer.write(rs.getString(1));
            writer.write('\n');
          }
        }
        writer.flush();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }

  private static SessionSummary summary(ResultSet rs) throws SQLException {
    return new SessionSummary(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        instant(rs, 5),
        instant(rs, 6),
        rs.getString(7),
        instant(rs, 8),
        rs.getBigDecimal(9),
        nullableLong(rs, 10),
        nullableLong(rs, 11),
        nullableLong(rs, 12),
        nullableLong(rs, 13),
        rs.getString(14),
        rs.getInt(15));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }

  private static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }
}
