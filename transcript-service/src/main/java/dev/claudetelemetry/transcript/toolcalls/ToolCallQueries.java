package dev.claudetelemetry.transcript.toolcalls;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Read-only SQL behind {@link ToolCallsResource}. */
@Singleton
public class ToolCallQueries {
  private static final JsonFactory JSON = new JsonFactory();

  private final AgroalDataSource dataSource;

  public ToolCallQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Where the previous page ended. */
  public record Cursor(Instant receivedAt, String id) {}

  /** One page of the window {@code [since, until)}; {@code until}, user and cursor may be null. */
  public record Page(Instant since, Instant until, String user, Cursor after, int limit) {}

  /**
   * One JSON object per line: {@code id, receivedAt, sessionId, user, tool, verdict, ruleId, mode,
   * source} and {@code input}, the stored (redacted) hook input as it is in the table, never parsed
   * here.
   */
  public void writeNdjson(Page page, OutputStream out) throws SQLException, IOException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, received_at, session_id, user_name, tool_name, verdict, rule_id, mode,"
                + " decision_source, payload::text FROM hook_events"
                + " WHERE event_name = 'PreToolUse' AND received_at >= ?");
    if (page.until() != null) {
      sql.append(" AND received_at < ?");
    }
    if (page.after() != null) {
      sql.append(" AND (received_at, id) > (?, ?)");
    }
    if (page.user() != null) {
      sql.append(" AND user_name = ?");
    }
    sql.append(" ORDER BY received_at, id LIMIT ?");
    try (Connection c = dataSource.getConnection()) {
      // A cursor (rows fetched as they are written) needs a transaction in PostgreSQL's driver.
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setFetchSize(1000);
        int i = 1;
        ps.setTimestamp(i++, Timestamp.from(page.since()));
        if (page.until() != null) {
          ps.setTimestamp(i++, Timestamp.from(page.until()));
        }
        if (page.after() != null) {
          ps.setTimestamp(i++, Timestamp.from(page.after().receivedAt()));
          ps.setString(i++, page.after().id());
        }
        if (page.user() != null) {
          ps.setString(i++, page.user());
        }
        ps.setInt(i, page.limit());
        try (ResultSet rs = ps.executeQuery();
            JsonGenerator json = JSON.createGenerator(out)) {
          json.setRootValueSeparator(null);
          while (rs.next()) {
            json.writeStartObject();
            json.writeStringField("id", rs.getString(1));
            json.writeStringField("receivedAt", rs.getTimestamp(2).toInstant().toString());
            json.writeStringField("sessionId", rs.getString(3));
            json.writeStringField("user", rs.getString(4));
            json.writeStringField("tool", rs.getString(5));
            json.writeStringField("verdict", rs.getString(6));
            json.writeStringField("ruleId", rs.getString(7));
            json.writeStringField("mode", rs.getString(8));
            json.writeStringField("source", rs.getString(9));
            json.writeFieldName("input");
            json.writeRawValue(rs.getString(10));
            json.writeEndObject();
            json.writeRaw('\n');
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
  }
}
