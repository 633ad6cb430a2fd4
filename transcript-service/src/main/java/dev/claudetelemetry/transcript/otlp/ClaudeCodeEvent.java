package dev.claudetelemetry.transcript.otlp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One Claude Code event from an OTLP log record: name without the {@code claude_code.} prefix,
 * attributes.
 */
public record ClaudeCodeEvent(
    String dedupKey,
    String sessionId,
    String name,
    Instant occurredAt,
    String user,
    String promptId,
    ObjectNode attributes) {}
