package dev.claudetelemetry.transcript.metrics;

import dev.claudetelemetry.transcript.redaction.Redactor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter transcript-service exports, named once here (see metrics.md). Labels are bounded:
 * {@code kind} takes values from fixed lists (event kinds, redaction pattern kinds), never ids or
 * text.
 */
@Singleton
public class TranscriptMetrics {
  /** The {@code kind} values of claude_audit_events_total. */
  public static final String HOOK_EVENT = "hook_event";

  public static final String OTLP_EVENT = "otlp_event";
  public static final String TRANSCRIPT_LINE = "transcript_line";

  /** The {@code reason} values of claude_transcript_access_denied_total. */
  public static final String DENIED_SERVICE_API = "user_token_on_service_api";

  public static final String DENIED_NOT_OWNER = "not_owner";
  public static final String REWRITE_SHRANK = "shrank";
  public static final String REWRITE_CHANGED = "rewritten";

  private final MeterRegistry registry;
  private final Counter lines;
  private final Counter bytes;
  private final Counter retentionSessions;
  private final Counter userHeaderMismatches;
  private final Map<String, Counter> auditEvents = new ConcurrentHashMap<>();
  private final Map<String, Counter> redactions = new ConcurrentHashMap<>();
  private final Map<String, Counter> accessDenied = new ConcurrentHashMap<>();
  private final Map<String, Counter> rewrites = new ConcurrentHashMap<>();

  public TranscriptMetrics(MeterRegistry registry, Redactor redactor) {
    this.registry = registry;
    this.lines =
        Counter.builder("claude_transcript_lines")
            .description(
                "Transcript lines stored (duplicates re-sent by a sync client are not counted)")
            .register(registry);
    this.bytes =
        Counter.builder("claude_transcript_bytes")
            .description("Transcript bytes acknowledged to sync clients")
            .baseUnit("bytes")
            .register(registry);
    this.retentionSessions =
        Counter.builder("claude_retention_deleted_sessions")
            .description("Sessions deleted by retention, with all their lines and events")
            .register(registry);
    this.userHeaderMismatches =
        Counter.builder("claude_transcript_user_header_mismatches")
            .description(
                "Uploads with a user's own token whose X-Claude-Telemetry-User named another user;"
                    + " stored as the token's user")
            .register(registry);
    for (String kind : new String[] {HOOK_EVENT, OTLP_EVENT, TRANSCRIPT_LINE}) {
      auditEvent(kind);
    }
    redactor.kinds().forEach(this::redaction);
    for (String kind : new String[] {REWRITE_SHRANK, REWRITE_CHANGED}) {
      rewrites.put(
          kind,
          Counter.builder("claude_transcript_rewrites")
              .description(
                  "Transcript files found shorter than acknowledged (shrank) or with their"
                      + " acknowledged bytes changed (rewritten); each starts a new generation")
              .tag("kind", kind)
              .register(registry));
    }
    for (String reason : new String[] {DENIED_SERVICE_API, DENIED_NOT_OWNER}) {
      accessDenied.put(
          reason,
          Counter.builder("claude_transcript_access_denied")
              .description(
                  "Requests with a user's own token refused (403), by reason: a user token on a"
                      + " service API, another user's session")
              .tag("reason", reason)
              .register(registry));
    }
  }

  /** REWRITE_SHRANK or REWRITE_CHANGED. */
  public void rewriteDetected(String kind) {
    rewrites.get(kind).increment();
  }

  public void userHeaderMismatch() {
    userHeaderMismatches.increment();
  }

  /** One of the DENIED_* reasons. */
  public void accessDenied(String reason) {
    accessDenied.get(reason).increment();
  }

  public void linesStored(int count, long byteCount) {
    lines.increment(count);
    bytes.increment(byteCount);
    auditEvent(TRANSCRIPT_LINE).increment(count);
  }

  public void auditEvents(String kind, int count) {
    auditEvent(kind).increment(count);
  }

  public void redactions(Map<String, Integer> counts) {
    counts.forEach((kind, n) -> redaction(kind).increment(n));
  }

  public void retentionDeleted(int sessions) {
    retentionSessions.increment(sessions);
  }

  private Counter auditEvent(String kind) {
    return auditEvents.computeIfAbsent(
        kind,
        k ->
            Counter.builder("claude_audit_events")
                .description(
                    "Audit records stored, by kind (hook_event, otlp_event, transcript_line)")
                .tag("kind", k)
                .register(registry));
  }

  private Counter redaction(String kind) {
    return redactions.computeIfAbsent(
        kind,
        k ->
            Counter.builder("claude_redactions")
                .description("Secrets replaced by [REDACTED:kind] before storing, by pattern kind")
                .tag("kind", k)
                .register(registry));
  }
}
