package dev.claudetelemetry.policy.rules;

import java.util.Locale;

/** What the policy decides for one tool call, in order of strength. */
public enum Verdict {
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
