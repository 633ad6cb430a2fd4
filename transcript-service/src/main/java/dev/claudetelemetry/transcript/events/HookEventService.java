package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import dev.claudetelemetry.transcript.sessions.SessionUpdate;
import dev.claudetelemetry.transcript.sessions.SessionWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores batches of hook events from hook-ingest: each event id once, the whole batch in one
 * transaction.
 */
@Singleton
public class HookEventService {
  private final AgroalDataSource dataSource;
  private final SessionWriter sessions;
  private final TranscriptMetrics metrics;
  private final ObjectMapper mapper;

  public HookEventService(
      AgroalDataSource dataSource,
      SessionWriter sessions,
      TranscriptMetrics metrics,
      ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.sessions = sessions;
    this.metrics = metrics;
    this.mapper = mapper;
  }

  public record Stored(int accepted, int duplicates) {}

  public Stored store(EventBatchParser.Parsed batch) throws SQLException {
    List<HookEventRecord> events = batch.events();
    if (events.isEmpty()) {
      return new Stored(0, 0);
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        // Sorted, so two batches touching the same sessions lock them in the same order.
        Map<String, HookEventRecord> firstOfSession = new TreeMap<>();
        Map<String, SessionUpdate.Builder> updates = new TreeMap<>();
        for (HookEventRecord event : events) {
          firstOfSession.putIfAbsent(event.sessionId(), event);
          updates.computeIfAbsent(event.sessionId(), id -> SessionUpdate.builder());
        }
        for (HookEventRecord first : firstOfSession.values()) {
          sessions.ensure(
              c, first.sessionId(), first.user(), text(first.payload(), "cwd"), first.receivedAt());
        }
        int[] inserted = insert(c, events);
        int accepted = 0;
        for (int i = 0; i < events.size(); i++) {
          if (inserted[i] > 0) {
            accepted++;
            learn(updates.get(events.get(i).sessionId()), events.get(i));
          }
        }
        for (Map.Entry<String, SessionUpdate.Builder> update : updates.entrySet()) {
          sessions.merge(c, update.getKey(), update.getValue().build());
        }
        c.commit();
        metrics.auditEvents(TranscriptMetrics.HOOK_EVENT, accepted);
        if (accepted > 0) {
          metrics.redactions(batch.redactions());
        }
        return new Stored(accepted, events.size() - accepted);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private int[] insert(Connection c, List<HookEventRecord> events) throws SQLException {
    int[] counts = new int[events.size()];
    // Row by row inside the transaction: ON CONFLICT tells per id whether it was new (a duplicate
    // id inside the
    // same batch is then a duplicate too), which a rewritten multi-row batch would not.
    try (PreparedStatement ps =
        c.prepareStatement(
            """
        INSERT INTO hook_events (id, session_id, received_at, user_name, event_name, tool_name, tool_use_id,
          agent_id, payload, verdict, rule_id, mode, decision_source, reason, redacted, search_text, dryrun)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
        ON CONFLICT (id) DO NOTHING""")) {
      for (int i = 0; i < events.size(); i++) {
        HookEventRecord e = events.get(i);
        HookEventRecord.Decision d = e.decision();
        ps.setString(1, e.id());
        ps.setString(2, e.sessionId());
        ps.setTimestamp(3, Timestamp.from(e.receivedAt()));
        ps.setString(4, e.user());
        ps.setString(5, e.eventName());
        ps.setString(6, e.toolName());
        ps.setString(7, e.toolUseId());
        ps.setString(8, e.agentId());
        ps.setString(9, mapper.writeValueAsString(e.payload()));
        ps.setString(10, d == null ? null : d.verdict());
        ps.setString(11, d == null ? null : d.ruleId());
        ps.setString(12, d == null ? null : d.mode());
        ps.setString(13, d == null ? null : d.source());
        ps.setString(14, d == null ? null : d.reason());
        ps.setBoolean(15, e.redacted());
        ps.setString(16, e.searchText());
        ps.setString(
            17, d == null || d.dryrun().isEmpty() ? null : mapper.writeValueAsString(d.dryrun()));
        counts[i] = ps.executeUpdate();
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("a parsed tree always serialises", ex);
    }
    return counts;
  }

  private static void learn(SessionUpdate.Builder update, HookEventRecord event) {
    update.user(event.user()).cwd(text(event.payload(), "cwd")).seen(event.receivedAt());
    if ("SessionEnd".equals(event.eventName())) {
      update.ended(event.receivedAt(), text(event.payload(), "reason"));
    }
    if (event.isDenial()) {
      update.denial();
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
