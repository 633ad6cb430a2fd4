package dev.claudetelemetry.policy.rules;

import java.util.Locale;

/**
 * What the policy decides for one tool call, weakest first. {@link #NONE} is "no rule decided":
 * Claude Code gets no decision and its own permission mode, allowlists and prompts apply as if the
 * guard were not there. Only an explicit {@code allow} rule grants.
 */
public enum Verdict {
  NONE,
  ALLOW,
  ASK,
  DENY;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Verdict fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
