package dev.claudetelemetry.transcript.sessions;

import dev.claudetelemetry.transcript.upload.SessionFacts;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps the sessions row up to date from whatever arrives: transcript lines, hook events, OTLP
 * events. Every method runs inside the caller's transaction. Known values are never overwritten
 * with unknown ones.
 */
@Singleton
public class SessionWriter {

  /** Creates the row if missing; takes no row lock when it exists. */
  public void ensure(Connection c, String sessionId, String user, String cwd, Instant seenAt)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO sessions (id, user_name, cwd, last_activity_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
      ps.setString(1, sessionId);
      ps.setString(2, user);
      ps.setString(3, cwd);
      ps.setTimestamp(4, Timestamp.from(seenAt));
      ps.executeUpdate();
    }
  }

  /**
   * Makes {@code user} the session's transcript owner unless it has one, and answers the owner;
   * empty if the session has no row yet. Locks the session row: of two first uploads at once, one
   * waits and then sees the other's claim.
   */
  public Optional<String> claimTranscript(Connection c, String sessionId, String user)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE sessions SET transcript_owner = coalesce(transcript_owner, ?) WHERE id = ?"
                + " RETURNING transcript_owner")) {
      ps.setString(1, user);
      ps.setString(2, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * How a sessions row {@code s} learns what a write said, the write's values in {@code from}:
   * known values are never overwritten with unknown ones, the earliest start and latest activity
   * win, and denials add up. {@link #merge} and the hook events' upsert (events.HookEventService)
   * both use it.
   */
  public static String learnFrom(String from) {
    return String.format(
        """
        user_name = coalesce(s.user_name, %1$s.user_name),
          cwd = coalesce(s.cwd, %1$s.cwd),
          model = coalesce(%1$s.model, s.model),
          started_at = least(s.started_at, %1$s.started_at),
          ended_at = coalesce(%1$s.ended_at, s.ended_at),
          end_reason = coalesce(%1$s.end_reason, s.end_reason),
          last_activity_at = greatest(s.last_activity_at, %1$s.last_activity_at),
          denials = s.denials + %1$s.denials""",
        from);
  }

  /**
   * The UPDATE of {@link #merge}, for a statement that writes more in WITH queries before it; its
   * parameters are bound by {@link #bindMerge}.
   */
  public static final String MERGE =
      "UPDATE sessions AS s SET "
          + learnFrom("n")
          + """

          FROM (SELECT ?::text AS user_name, ?::text AS cwd, ?::text AS model,
            ?::timestamptz AS started_at, ?::timestamptz AS ended_at, ?::text AS end_reason,
            ?::timestamptz AS last_activity_at, ?::int AS denials) AS n
          WHERE s.id = ?""";

  /** Merges what a batch of lines or events said about the session. */
  public void merge(Connection c, String sessionId, SessionUpdate u) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MERGE)) {
      bindMerge(ps, 1, sessionId, u);
      ps.executeUpdate();
    }
  }

  /**
   * Binds {@link #MERGE}'s parameters, the first at index {@code first}; answers the index after
   * them.
   */
  public static int bindMerge(PreparedStatement ps, int first, String sessionId, SessionUpdate u)
      throws SQLException {
    int i = first;
    ps.setString(i++, u.user());
    ps.setString(i++, u.cwd());
    ps.setString(i++, u.model());
    setInstant(ps, i++, u.startedAt());
    setInstant(ps, i++, u.endedAt());
    ps.setString(i++, u.endReason());
    setInstant(ps, i++, u.lastActivityAt());
    ps.setInt(i++, u.denials());
    ps.setString(i++, sessionId);
    return i;
  }

  /**
   * A transcript's cost-state line: totals, used only while no OTLP cost has arrived for the
   * session.
   */
  public void transcriptCost(Connection c, String sessionId, SessionFacts.CostTotals cost)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        UPDATE sessions SET cost_usd = ?, input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
          cache_creation_tokens = ?, cost_source = 'transcript'
        WHERE id = ? AND (cost_source IS NULL OR cost_source = 'transcript')""")) {
      ps.setBigDecimal(1, cost.costUsd());
      ps.setLong(2, cost.inputTokens());
      ps.setLong(3, cost.outputTokens());
      ps.setLong(4, cost.cacheReadTokens());
      ps.setLong(5, cost.cacheCreationTokens());
      ps.setString(6, sessionId);
      ps.executeUpdate();
    }
  }

  /**
   * Adds api_request events' cost and tokens; the first OTLP amount replaces a transcript-derived
   * total.
   */
  public void addOtlpCost(
      Connection c,
      String sessionId,
      BigDecimal cost,
      long input,
      long output,
      long cacheRead,
      long cacheCreation)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        UPDATE sessions SET
          cost_usd = CASE WHEN cost_source = 'otlp' THEN cost_usd + ? ELSE ? END,
          input_tokens = CASE WHEN cost_source = 'otlp' THEN input_tokens + ? ELSE ? END,
          output_tokens = CASE WHEN cost_source = 'otlp' THEN output_tokens + ? ELSE ? END,
          cache_read_tokens = CASE WHEN cost_source = 'otlp' THEN cache_read_tokens + ? ELSE ? END,
          cache_creation_tokens = CASE WHEN cost_source = 'otlp' THEN cache_creation_tokens + ? ELSE ? END,
          cost_source = 'otlp'
        WHERE id = ?""")) {
      ps.setBigDecimal(1, cost);
      ps.setBigDecimal(2, cost);
      ps.setLong(3, input);
      ps.setLong(4, input);
      ps.setLong(5, output);
      ps.setLong(6, output);
      ps.setLong(7, cacheRead);
      ps.setLong(8, cacheRead);
      ps.setLong(9, cacheCreation);
      ps.setLong(10, cacheCreation);
      ps.setString(11, sessionId);
      ps.executeUpdate();
    }
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setTimestamp(index, Timestamp.from(value));
    }
  }
}
