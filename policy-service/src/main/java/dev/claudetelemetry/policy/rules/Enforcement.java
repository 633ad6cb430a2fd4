package dev.claudetelemetry.policy.rules;

import java.util.Locale;

/**
 * What one rule's match does. {@link #ENFORCE}: the rule takes part in the answer. {@link #DRYRUN}:
 * the rule never changes the answer (evaluation goes on as if it had not matched), but what it
 * would have decided is part of the decision, counted and recorded, so a new rule can be tried on
 * real traffic while the rest of the policy stays enforced.
 */
public enum Enforcement {
  ENFORCE,
  DRYRUN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Enforcement fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
