package dev.claudetelemetry.policy.replay;

import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import java.time.Instant;

/**
 * One recorded PreToolUse as transcript-service returns it: the call, and the verdict the policy of
 * the day gave it ({@code recorded} is {@code null} when the answer did not come from a policy:
 * hook-ingest failed open or closed, or nothing was recorded).
 */
public record RecordedCall(
    String id,
    Instant receivedAt,
    String sessionId,
    String user,
    ToolCall call,
    Verdict recorded,
    String recordedRule) {}
