package dev.claudetelemetry.policy.suites;

import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;

/**
 * One labelled call of a policy test file: the call, the verdict the policy must give and, when
 * given, the rule that must decide it.
 *
 * @param where {@code file.yaml#index}, how failures name the case
 * @param label the command or the tool and its input, on one line
 * @param rule {@code null} when any rule (or none, for {@code none}) may decide
 */
public record PolicyTestCase(
    String where, String label, ToolCall call, Verdict expect, String rule) {

  @Override
  public String toString() {
    return where + " " + label + " -> " + expect.wireName();
  }
}
