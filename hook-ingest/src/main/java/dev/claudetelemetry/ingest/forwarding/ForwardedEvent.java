package dev.claudetelemetry.ingest.forwarding;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.claudetelemetry.ingest.guard.GuardDecision;

/**
 * One event as transcript-service receives it (docs/contracts.md). {@code id} is assigned once, at
 * receipt, and reused on every retry, so transcript-service stores each event once. {@code event}
 * is the hook input as JSON text, embedded as it is. Serialised once, when it is received: that
 * JSON is what the backlog holds (and the spool writes) and what is sent.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ForwardedEvent(
    String id,
    String receivedAt,
    String user,
    @JsonRawValue String event,
    GuardDecision decision) {}
