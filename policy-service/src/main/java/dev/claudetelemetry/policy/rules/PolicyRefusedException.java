package dev.claudetelemetry.policy.rules;

import java.util.List;

/**
 * A policy that must not become active, with every reason found (each names the rule where it can).
 */
public final class PolicyRefusedException extends Exception {

  private final List<String> problems;

  public PolicyRefusedException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
