package dev.claudetelemetry.ingest.metrics;

import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.events.HookInput;
import dev.claudetelemetry.ingest.guard.DryRunMatch;
import dev.claudetelemetry.ingest.guard.GuardAnswer;
import dev.claudetelemetry.ingest.identity.UserTeams;
import dev.claudetelemetry.ingest.metrics.HookMetrics.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Turns accepted hook events into metric increments: every event once, every tool call once with
 * one outcome (keyed by session, agent and {@code tool_use_id}), sessions, prompts.
 */
@Singleton
public class EventCounting {

  private final HookMetrics metrics;
  private final FirstReports ledger;
  private final FirstReports deliveries;
  private final UserTeams teams;

  @Inject
  public EventCounting(HookMetrics metrics, IngestConfig config, UserTeams teams) {
    this(
        metrics,
        new FirstReports(
            config.toolCalls().maxTracked(), config.toolCalls().ttl(), System::nanoTime),
        new FirstReports(
            config.toolCalls().maxTracked(), config.toolCalls().ttl(), System::nanoTime),
        teams);
  }

  EventCounting(
      HookMetrics metrics, FirstReports ledger, FirstReports deliveries, UserTeams teams) {
    this.metrics = metrics;
    this.ledger = ledger;
    this.deliveries = deliveries;
    this.teams = teams;
  }

  /**
   * Counts an accepted event (for guarded events, before the guard answers). {@code eventKey} is
   * the hook client's name for the event (null: none): a key this replica already counted for the
   * user is a repeated delivery of that event, counted as such and nothing else. With the Service's
   * client-IP affinity a pod's retries and its hand-off reach the replica that counted the first
   * attempt.
   */
  public void received(HookInput input, String user, String eventKey) {
    if (eventKey != null && !deliveries.firstReport(user + '\u0000' + eventKey)) {
      metrics.repeatedDelivery();
      return;
    }
    String tool = Labels.tool(input.toolName());
    metrics.event(Labels.event(input.hookEventName()), tool, user, teams.of(user));
    switch (input.hookEventName()) {
      case "PostToolUse" -> outcome(input, tool, user, Outcome.succeeded);
      case "PostToolUseFailure" ->
          outcome(
              input,
              tool,
              user,
              Boolean.TRUE.equals(input.isInterrupt()) ? Outcome.interrupted : Outcome.failed);
      case "SessionStart" -> metrics.sessionStarted(Labels.sessionStartSource(input.source()));
      case "SessionEnd" -> metrics.sessionEnded(Labels.sessionEndReason(input.reason()));
      case "UserPromptSubmit" -> metrics.prompt(user, teams.of(user));
      default -> {}
    }
  }

  /**
   * A call Claude Code was told to deny (at PreToolUse, or at its PermissionRequest) will not run
   * and sends no PostToolUse: the denial is its outcome.
   */
  public void guarded(HookInput input, String user, GuardAnswer answer) {
    if (answer.denied()) {
      outcome(input, Labels.tool(input.toolName()), user, Outcome.denied);
    }
    for (DryRunMatch match : answer.decision().dryrun()) {
      metrics.guardDryRun(match.ruleId(), match.verdict(), user, teams.of(user));
    }
  }

  private void outcome(HookInput input, String tool, String user, Outcome outcome) {
    if (input.toolUseId() != null && !ledger.firstReport(callKey(input))) {
      return;
    }
    metrics.toolCall(tool, outcome, user, teams.of(user));
    if (input.durationMs() != null) {
      metrics.toolDuration(tool, Duration.ofMillis(input.durationMs()));
    }
  }

  /**
   * tool_use_id alone is not unique across sessions (nor, with a scripted model, across subagents).
   */
  private static String callKey(HookInput input) {
    return input.sessionId()
        + '\u0000'
        + (input.agentId() == null ? "" : input.agentId())
        + '\u0000'
        + input.toolUseId();
  }
}
