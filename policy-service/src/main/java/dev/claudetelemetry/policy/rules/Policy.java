package dev.claudetelemetry.policy.rules;

import java.time.Instant;
import java.util.List;

/**
 * A loaded, validated, immutable policy. Swapped as a whole on reload, so a request sees one policy
 * from start to end.
 *
 * @param source the YAML text
 * @param sha256 hex digest of the YAML bytes
 * @param origin the file it came from, or {@code classpath:default}
 * @param loadedAt when it was loaded
 */
public record Policy(
    String name,
    String version,
    Mode mode,
    PolicySettings settings,
    List<Rule> rules,
    String source,
    String sha256,
    String origin,
    Instant loadedAt) {

  /**
   * Enforce: the verdict is Claude Code's answer. Audit: decide and record, but always answer
   * allow.
   */
  public enum Mode {
    ENFORCE,
    AUDIT;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
