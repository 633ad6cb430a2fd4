package dev.claudetelemetry.ingest.guard;

/**
 * Why policy-service gave no valid answer; the {@code reason} of claude_hook_guard_failures_total.
 */
public enum GuardFailure {
  NOT_CONFIGURED("not_configured", "no policy-service URL is configured"),
  TIMEOUT("timeout", "policy-service did not answer in time"),
  UNREACHABLE("unreachable", "policy-service could not be reached"),
  BAD_STATUS("bad_status", "policy-service answered with an error status"),
  BAD_ANSWER("bad_answer", "policy-service answered something that is not a decision");

  private final String label;
  private final String description;

  GuardFailure(String label, String description) {
    this.label = label;
    this.description = description;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }
}
