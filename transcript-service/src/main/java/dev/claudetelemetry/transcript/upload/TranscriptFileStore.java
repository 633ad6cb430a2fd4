package dev.claudetelemetry.transcript.upload;

import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** SQL for transcript files and their lines. Runs in the caller's transaction. */
@Singleton
public class TranscriptFileStore {

  /**
   * Creates the file row if needed and locks it until the transaction ends: concurrent uploads
   * queue here.
   */
  public FileState lock(Connection c, String sessionId, String fileId) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO transcript_files (session_id, file_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, sessionId);
      insert.setString(2, fileId);
      insert.executeUpdate();
    }
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT "
                + STATE_COLUMNS
                + " FROM transcript_files"
                + " WHERE session_id = ? AND file_id = ? FOR UPDATE")) {
      select.setString(1, sessionId);
      select.setString(2, fileId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return state(sessionId, fileId, rs);
      }
    }
  }

  public Optional<FileState> find(Connection c, String sessionId, String fileId)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT "
                + STATE_COLUMNS
                + " FROM transcript_files WHERE session_id = ? AND file_id = ?")) {
      select.setString(1, sessionId);
      select.setString(2, fileId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(state(sessionId, fileId, rs)) : Optional.empty();
      }
    }
  }

  private static final String STATE_COLUMNS =
      "acked_offset, line_count, in_oversized_line, prefix_digest, generation";

  private static FileState state(String sessionId, String fileId, ResultSet rs)
      throws SQLException {
    long offset = rs.getLong(1);
    byte[] digest = rs.getBytes(4);
    // A new file has no digest yet: that of no bytes. One acknowledged before digests were kept
    // has none and stays unchecked.
    PrefixDigest prefix =
        digest != null ? PrefixDigest.decode(digest) : offset == 0 ? PrefixDigest.empty() : null;
    return new FileState(
        sessionId, fileId, offset, rs.getInt(2), rs.getBoolean(3), prefix, rs.getInt(5));
  }

  public void advance(Connection c, FileState state) throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE transcript_files SET acked_offset = ?, line_count = ?, in_oversized_line = ?,"
                + " prefix_digest = ?, generation = ?, updated_at = now()"
                + " WHERE session_id = ? AND file_id = ?")) {
      update.setLong(1, state.offset());
      update.setInt(2, state.lines());
      update.setBoolean(3, state.inOversizedLine());
      update.setBytes(4, state.digest() == null ? null : state.digest().encode());
      update.setInt(5, state.generation());
      update.setString(6, state.sessionId());
      update.setString(7, state.fileId());
      update.executeUpdate();
    }
  }

  /** One entry of the session's audit trail: the file was found shrunk or rewritten. */
  public void recordRewrite(
      Connection c, FileState before, String kind, Long reportedSize, FileState after)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO transcript_rewrites (session_id, file_id, kind, acked_offset, reported_size,"
                + " new_generation, first_line_no) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, before.sessionId());
      insert.setString(2, before.fileId());
      insert.setString(3, kind);
      insert.setLong(4, before.offset());
      if (reportedSize == null) {
        insert.setNull(5, java.sql.Types.BIGINT);
      } else {
        insert.setLong(5, reportedSize);
      }
      insert.setInt(6, after.generation());
      insert.setInt(7, after.lines() + 1);
      insert.executeUpdate();
    }
  }

  /**
   * All lines in one statement (arrays unnested server-side): one round trip however many lines.
   */
  public void insertLines(
      Connection c,
      String sessionId,
      String fileId,
      int generation,
      int firstLineNo,
      List<StoredLine> lines)
      throws SQLException {
    if (lines.isEmpty()) {
      return;
    }
    int n = lines.size();
    Integer[] lineNo = new Integer[n];
    Long[] offset = new Long[n];
    Integer[] length = new Integer[n];
    String[] type = new String[n];
    String[] uuid = new String[n];
    Long[] occurredMicros = new Long[n];
    String[] content = new String[n];
    String[] raw = new String[n];
    Boolean[] notJson = new Boolean[n];
    Boolean[] truncated = new Boolean[n];
    Boolean[] redacted = new Boolean[n];
    String[] search = new String[n];
    for (int i = 0; i < n; i++) {
      StoredLine line = lines.get(i);
      lineNo[i] = firstLineNo + i;
      offset[i] = line.byteOffset();
      length[i] = line.byteLength();
      type[i] = line.lineType();
      uuid[i] = line.uuid();
      occurredMicros[i] =
          line.occurredAt() == null
              ? null
              : ChronoUnit.MICROS.between(Instant.EPOCH, line.occurredAt());
      content[i] = line.json();
      raw[i] = line.rawText();
      notJson[i] = line.notJson();
      truncated[i] = line.truncated();
      redacted[i] = line.redacted();
      search[i] = line.searchText();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO transcript_lines (session_id, file_id, generation, line_no, byte_offset, byte_length, line_type,
          uuid, occurred_at, content, raw_text, not_json, truncated, redacted, search_text)
        SELECT ?, ?, ?, u.line_no, u.byte_offset, u.byte_length, u.line_type, u.uuid, to_timestamp(u.occurred_micros / 1000000) + (u.occurred_micros % 1000000) * interval '1 microsecond',
          u.content::json, u.raw_text, u.not_json, u.truncated, u.redacted, u.search_text
        FROM unnest(?::int[], ?::bigint[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
          ?::bool[], ?::bool[], ?::bool[], ?::text[])
          AS u(line_no, byte_offset, byte_length, line_type, uuid, occurred_micros, content, raw_text, not_json,
               truncated, redacted, search_text)""")) {
      ps.setString(1, sessionId);
      ps.setString(2, fileId);
      ps.setInt(3, generation);
      int i = 4;
      ps.setArray(i++, c.createArrayOf("int4", lineNo));
      ps.setArray(i++, c.createArrayOf("int8", offset));
      ps.setArray(i++, c.createArrayOf("int4", length));
      ps.setArray(i++, c.createArrayOf("text", type));
      ps.setArray(i++, c.createArrayOf("text", uuid));
      ps.setArray(i++, c.createArrayOf("int8", occurredMicros));
      ps.setArray(i++, c.createArrayOf("text", content));
      ps.setArray(i++, c.createArrayOf("text", raw));
      for (Boolean[] column : List.of(notJson, truncated, redacted)) {
        ps.setArray(i++, c.createArrayOf("bool", column));
      }
      Array searchArray = c.createArrayOf("text", search);
      ps.setArray(i, searchArray);
      ps.executeUpdate();
    }
  }
}
