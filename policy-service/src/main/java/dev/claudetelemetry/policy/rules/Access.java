package dev.claudetelemetry.policy.rules;

/** How a tool call uses a path. */
public enum Access {
  READ,
  WRITE,
  /** Editors and the like: they read and write. */
  READ_WRITE;

  /**
   * Whether a path used this way counts for a rule that asks for {@code wanted} ({@code null} =
   * any).
   */
  boolean satisfies(Access wanted) {
    return wanted == null || this == READ_WRITE || this == wanted;
  }
}
