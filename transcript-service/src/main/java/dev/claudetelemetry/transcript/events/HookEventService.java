package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import dev.claudetelemetry.transcript.sessions.SessionWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores batches of hook events from hook-ingest: each event id once, the whole batch at once or
 * not at all.
 */
@Singleton
public class HookEventService {
  private final AgroalDataSource dataSource;
  private final TranscriptMetrics metrics;
  private final ObjectMapper mapper;

  public HookEventService(
      AgroalDataSource dataSource, TranscriptMetrics metrics, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.metrics = metrics;
    this.mapper = mapper;
  }

  public record Stored(int accepted, int duplicates) {}

  /**
   * The whole batch in one statement, so in one round trip and atomically without a transaction of
   * its own: the events are inserted each id once ({@code ON CONFLICT DO NOTHING}, so a retried or
   * replayed event is a duplicate), and the sessions of the events that were new are created or
   * updated from those events alone ({@link SessionWriter#learnFrom}), in session id order so that
   * two batches lock shared sessions in the same order. A session row inserted here satisfies the
   * events' foreign key, which PostgreSQL checks at the end of the statement.
   */
  private static final String STORE =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],
            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
            ?::bool[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[])
          WITH ORDINALITY AS b(id, session_id, received_at, user_name, event_name, tool_name,
            tool_use_id, agent_id, payload, verdict, rule_id, mode, decision_source, reason, redacted,
            search_text, dryrun, cwd, end_reason, denial, ord)),
      stored AS (
        INSERT INTO hook_events (id, session_id, received_at, user_name, event_name, tool_name,
          tool_use_id, agent_id, payload, verdict, rule_id, mode, decision_source, reason, redacted,
          search_text, dryrun)
        SELECT id, session_id, received_at, user_name, event_name, tool_name, tool_use_id, agent_id,
          payload::jsonb, verdict, rule_id, mode, decision_source, reason, redacted, search_text,
          dryrun::jsonb
        FROM batch ORDER BY ord
        ON CONFLICT (id) DO NOTHING
        RETURNING id),
      accepted AS (SELECT batch.* FROM batch JOIN stored USING (id)),
      learned AS (
        INSERT INTO sessions AS s (id, user_name, cwd, model, started_at, ended_at, end_reason,
          last_activity_at, denials)
        SELECT session_id,
          (array_agg(user_name ORDER BY ord) FILTER (WHERE user_name IS NOT NULL))[1],
          (array_agg(cwd ORDER BY ord) FILTER (WHERE cwd IS NOT NULL))[1],
          NULL,
          min(received_at),
          (array_agg(received_at ORDER BY ord DESC) FILTER (WHERE event_name = 'SessionEnd'))[1],
          (array_agg(end_reason ORDER BY ord DESC) FILTER (WHERE event_name = 'SessionEnd'))[1],
          max(received_at),
          count(*) FILTER (WHERE denial)
        FROM accepted GROUP BY session_id ORDER BY session_id
        ON CONFLICT (id) DO UPDATE SET
      """
          + SessionWriter.learnFrom("excluded")
          + """
      )
      SELECT count(*) FROM stored""";

  public Stored store(EventBatchParser.Parsed batch) throws SQLException {
    // An id twice in one batch is stored once: the later ones are duplicates, as on a retry.
    Map<String, HookEventRecord> unique = new LinkedHashMap<>();
    for (HookEventRecord event : batch.events()) {
      unique.putIfAbsent(event.id(), event);
    }
    List<HookEventRecord> events = List.copyOf(unique.values());
    if (events.isEmpty()) {
      return new Stored(0, 0);
    }
    int accepted;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(STORE)) {
      bind(c, ps, events);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        accepted = rs.getInt(1);
      }
    }
    metrics.auditEvents(TranscriptMetrics.HOOK_EVENT, accepted);
    if (accepted > 0) {
      metrics.redactions(batch.redactions());
    }
    return new Stored(accepted, batch.events().size() - accepted);
  }

  private void bind(Connection c, PreparedStatement ps, List<HookEventRecord> events)
      throws SQLException {
    int n = events.size();
    String[][] text = new String[17][n];
    Boolean[] redacted = new Boolean[n];
    Boolean[] denial = new Boolean[n];
    for (int i = 0; i < n; i++) {
      HookEventRecord e = events.get(i);
      HookEventRecord.Decision d = e.decision();
      text[0][i] = e.id();
      text[1][i] = e.sessionId();
      text[2][i] = e.receivedAt().toString();
      text[3][i] = e.user();
      text[4][i] = e.eventName();
      text[5][i] = e.toolName();
      text[6][i] = e.toolUseId();
      text[7][i] = e.agentId();
      text[8][i] = json(e.payload());
      text[9][i] = d == null ? null : d.verdict();
      text[10][i] = d == null ? null : d.ruleId();
      text[11][i] = d == null ? null : d.mode();
      text[12][i] = d == null ? null : d.source();
      text[13][i] = d == null ? null : d.reason();
      text[14][i] = e.searchText();
      text[15][i] = d == null || d.dryrun().isEmpty() ? null : json(d.dryrun());
      text[16][i] = text(e.payload(), "cwd");
      redacted[i] = e.redacted();
      denial[i] = e.isDenial();
    }
    String[] endReason = new String[n];
    for (int i = 0; i < n; i++) {
      HookEventRecord e = events.get(i);
      endReason[i] = "SessionEnd".equals(e.eventName()) ? text(e.payload(), "reason") : null;
    }
    int p = 1;
    for (int column = 0; column < 14; column++) {
      ps.setArray(p++, c.createArrayOf("text", text[column]));
    }
    ps.setArray(p++, c.createArrayOf("bool", redacted));
    ps.setArray(p++, c.createArrayOf("text", text[14]));
    ps.setArray(p++, c.createArrayOf("text", text[15]));
    ps.setArray(p++, c.createArrayOf("text", text[16]));
    ps.setArray(p++, c.createArrayOf("text", endReason));
    ps.setArray(p, c.createArrayOf("bool", denial));
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
