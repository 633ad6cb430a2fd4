package dev.claudetelemetry.transcript.upload;

import dev.claudetelemetry.transcript.sessions.SessionUpdate;
import dev.claudetelemetry.transcript.sessions.SessionWriter;
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
   * queue here. A file that exists (every upload but its first) costs one statement.
   */
  public FileState lock(Connection c, String sessionId, String fileId) throws SQLException {
    Optional<FileState> existing = selectForUpdate(c, sessionId, fileId);
    if (existing.isPresent()) {
      return existing.get();
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO transcript_files (session_id, file_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, sessionId);
      insert.setString(2, fileId);
      insert.executeUpdate();
    }
    return selectForUpdate(c, sessionId, fileId).orElseThrow();
  }

  private static Optional<FileState> selectForUpdate(Connection c, String sessionId, String fileId)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT "
                + STATE_COLUMNS
                + " FROM transcript_files"
                + " WHERE session_id = ? AND file_id = ? FOR UPDATE")) {
      select.setString(1, sessionId);
      select.setString(2, fileId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(state(sessionId, fileId, rs, 1)) : Optional.empty();
      }
    }
  }

  /** The file's acknowledged state (none if never uploaded) and its session's transcript owner. */
  public record StatusAndOwner(Optional<FileState> state, Optional<String> owner) {}

  /** {@link StatusAndOwner} in one round trip: the offset query of every sync. */
  public StatusAndOwner findWithOwner(Connection c, String sessionId, String fileId)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT s.transcript_owner, f.acked_offset IS NOT NULL, "
                + STATE_COLUMNS.replaceAll("(^|, )", "$1f.")
                + " FROM (SELECT ?::text AS id) AS k"
                + " LEFT JOIN sessions AS s ON s.id = k.id"
                + " LEFT JOIN transcript_files AS f ON f.session_id = k.id AND f.file_id = ?")) {
      select.setString(1, sessionId);
      select.setString(2, fileId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return new StatusAndOwner(
            rs.getBoolean(2) ? Optional.of(state(sessionId, fileId, rs, 3)) : Optional.empty(),
            Optional.ofNullable(rs.getString(1)));
      }
    }
  }

  private static final String STATE_COLUMNS =
      "acked_offset, line_count, in_oversized_line, prefix_digest, generation";

  /** The {@link #STATE_COLUMNS} of a row, the first of them at column {@code first}. */
  private static FileState state(String sessionId, String fileId, ResultSet rs, int first)
      throws SQLException {
    long offset = rs.getLong(first);
    byte[] digest = rs.getBytes(first + 3);
    // A new file has no digest yet: that of no bytes. One acknowledged before digests were kept
    // has none and stays unchecked.
    PrefixDigest prefix =
        digest != null ? PrefixDigest.decode(digest) : offset == 0 ? PrefixDigest.empty() : null;
    return new FileState(
        sessionId,
        fileId,
        offset,
        rs.getInt(first + 1),
        rs.getBoolean(first + 2),
        prefix,
        rs.getInt(first + 4));
  }

  public void advance(Connection c, FileState state) throws SQLException {
    try (PreparedStatement update = c.prepareStatement(ADVANCE)) {
      bindAdvance(update, 1, state);
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
   * Stores the lines, advances the file to {@code next} and merges what the lines said into the
   * session row, all in one statement (the lines' arrays unnested server-side, the three writes as
   * WITH queries of one UPDATE): one round trip however many lines. They write three different
   * tables, so no write sees or hides another's.
   */
  public void append(
      Connection c, FileState next, int firstLineNo, List<StoredLine> lines, SessionUpdate session)
      throws SQLException {
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
    try (PreparedStatement ps = c.prepareStatement(APPEND)) {
      ps.setString(1, next.sessionId());
      ps.setString(2, next.fileId());
      ps.setInt(3, next.generation());
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
      ps.setArray(i++, searchArray);
      i = bindAdvance(ps, i, next);
      SessionWriter.bindMerge(ps, i, next.sessionId(), session);
      ps.executeUpdate();
    }
  }

  private static final String ADVANCE =
      "UPDATE transcript_files SET acked_offset = ?, line_count = ?, in_oversized_line = ?,"
          + " prefix_digest = ?, generation = ?, updated_at = now()"
          + " WHERE session_id = ? AND file_id = ?";

  private static int bindAdvance(PreparedStatement ps, int first, FileState state)
      throws SQLException {
    int i = first;
    ps.setLong(i++, state.offset());
    ps.setInt(i++, state.lines());
    ps.setBoolean(i++, state.inOversizedLine());
    ps.setBytes(i++, state.digest() == null ? null : state.digest().encode());
    ps.setInt(i++, state.generation());
    ps.setString(i++, state.sessionId());
    ps.setString(i++, state.fileId());
    return i;
  }

  private static final String APPEND =
      """
      WITH stored AS (
        INSERT INTO transcript_lines (session_id, file_id, generation, line_no, byte_offset, byte_length, line_type,
          uuid, occurred_at, content, raw_text, not_json, truncated, redacted, search_text)
        SELECT ?, ?, ?, u.line_no, u.byte_offset, u.byte_length, u.line_type, u.uuid, to_timestamp(u.occurred_micros / 1000000) + (u.occurred_micros % 1000000) * interval '1 microsecond',
          u.content::json, u.raw_text, u.not_json, u.truncated, u.redacted, u.search_text
        FROM unnest(?::int[], ?::bigint[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
          ?::bool[], ?::bool[], ?::bool[], ?::text[])
          AS u(line_no, byte_offset, byte_length, line_type, uuid, occurred_micros, content, raw_text, not_json,
               truncated, redacted, search_text)),
      advanced AS (
      """
          + ADVANCE
          + ")\n"
          + SessionWriter.MERGE;
}
