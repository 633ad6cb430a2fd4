package dev.claudetelemetry.ingest.guard;

/** Where the answer to a guarded event came from. */
public enum DecisionSource {
  POLICY("policy"),
  FAIL_CLOSED("fail-closed"),
  FAIL_OPEN("fail-open");

  private final String label;

  DecisionSource(String label) {
    this.label = label;
  }

  /** As it appears in forwarded events and in the {@code source} metric label. */
  public String label() {
    return label;
  }
}
