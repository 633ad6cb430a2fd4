package dev.claudetelemetry.ingest.guard;

/** What the guard answers when policy-service gives no valid answer in time. */
public enum FailMode {
  /** Deny, with a reason that says the guard is unavailable and whom to call. */
  closed,
  /** Give no decision, so Claude Code's own permission rules apply. */
  open
}
