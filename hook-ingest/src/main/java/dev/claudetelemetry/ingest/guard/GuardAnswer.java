package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The answer to a guarded event: {@code hookOutput} goes back to Claude Code as it is, {@code
 * decision} is recorded with the event. {@code denied} means Claude Code was told not to run the
 * tool.
 */
public record GuardAnswer(ObjectNode hookOutput, GuardDecision decision, boolean denied) {}
