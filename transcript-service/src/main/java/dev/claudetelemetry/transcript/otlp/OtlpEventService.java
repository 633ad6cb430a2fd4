package dev.claudetelemetry.transcript.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import dev.claudetelemetry.transcript.redaction.Redactor;
import dev.claudetelemetry.transcript.redaction.StorableText;
import dev.claudetelemetry.transcript.sessions.SessionUpdate;
import dev.claudetelemetry.transcript.sessions.SessionWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores Claude Code's OTLP events (redacted) and keeps session cost and tokens from {@code
 * api_request} events. A record re-sent by the collector is stored, and counted into the cost,
 * once.
 */
@Singleton
public class OtlpEventService {
  private final AgroalDataSource dataSource;
  private final SessionWriter sessions;
  private final Redactor redactor;
  private final TranscriptMetrics metrics;
  private final ObjectMapper mapper;

  public OtlpEventService(
      AgroalDataSource dataSource,
      SessionWriter sessions,
      Redactor redactor,
      TranscriptMetrics metrics,
      ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.sessions = sessions;
    this.redactor = redactor;
    this.metrics = metrics;
    this.mapper = mapper;
  }

  private static final class Cost {
    BigDecimal usd = BigDecimal.ZERO;
    long input;
    long output;
    long cacheRead;
    long cacheCreation;
    boolean any;
  }

  public int store(List<ClaudeCodeEvent> events) throws SQLException {
    if (events.isEmpty()) {
      return 0;
    }
    Map<String, Integer> redactions = new HashMap<>();
    for (ClaudeCodeEvent event : events) {
      redactor
          .redactInPlace(event.attributes())
          .forEach((k, v) -> redactions.merge(k, v, Integer::sum));
      StorableText.sanitise(event.attributes());
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Map<String, SessionUpdate.Builder> updates = new TreeMap<>();
        Map<String, Cost> costs = new TreeMap<>();
        for (ClaudeCodeEvent event : events) {
          if (!updates.containsKey(event.sessionId())) {
            sessions.ensure(c, event.sessionId(), event.user(), null, event.occurredAt());
            updates.put(event.sessionId(), SessionUpdate.builder());
          }
        }
        int stored = 0;
        try (PreparedStatement ps =
            c.prepareStatement(
                """
            INSERT INTO otlp_events (dedup_key, session_id, event_name, occurred_at, prompt_id, attributes)
            VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (dedup_key) DO NOTHING""")) {
          for (ClaudeCodeEvent event : events) {
            ps.setString(1, event.dedupKey());
            ps.setString(2, event.sessionId());
            ps.setString(3, event.name());
            ps.setTimestamp(4, Timestamp.from(event.occurredAt()));
            ps.setString(5, event.promptId());
            ps.setString(6, mapper.writeValueAsString(event.attributes()));
            if (ps.executeUpdate() == 0) {
              continue;
            }
            stored++;
            SessionUpdate.Builder update =
                updates.get(event.sessionId()).user(event.user()).seen(event.occurredAt());
            if ("api_request".equals(event.name())) {
              update.model(text(event.attributes().get("model")));
              addCost(
                  costs.computeIfAbsent(event.sessionId(), s -> new Cost()), event.attributes());
            }
          }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException("a parsed tree always serialises", e);
        }
        for (Map.Entry<String, SessionUpdate.Builder> update : updates.entrySet()) {
          sessions.merge(c, update.getKey(), update.getValue().build());
        }
        for (Map.Entry<String, Cost> cost : costs.entrySet()) {
          Cost total = cost.getValue();
          if (total.any) {
            sessions.addOtlpCost(
                c,
                cost.getKey(),
                total.usd,
                total.input,
                total.output,
                total.cacheRead,
                total.cacheCreation);
          }
        }
        c.commit();
        metrics.auditEvents(TranscriptMetrics.OTLP_EVENT, stored);
        if (stored > 0) {
          metrics.redactions(redactions);
        }
        return stored;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static void addCost(Cost cost, JsonNode attrs) {
    JsonNode usd = attrs.get("cost_usd");
    if (usd != null && !usd.isNull()) {
      try {
        cost.usd = cost.usd.add(new BigDecimal(usd.asText()));
        cost.any = true;
      } catch (NumberFormatException ignored) {
        // a cost that is not a number is kept in the event, not summed
      }
    }
    cost.input += attrs.path("input_tokens").asLong(0);
    cost.output += attrs.path("output_tokens").asLong(0);
    cost.cacheRead += attrs.path("cache_read_tokens").asLong(0);
    cost.cacheCreation += attrs.path("cache_creation_tokens").asLong(0);
    cost.any |= attrs.has("input_tokens") || attrs.has("output_tokens");
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}
