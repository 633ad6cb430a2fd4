package dev.claudetelemetry.policy.rules;

import java.util.List;
import java.util.Set;

/**
 * A compiled policy rule.
 *
 * @param id stable identifier, used in messages and metrics
 * @param description what the rule protects
 * @param tools the tools it applies to ({@code *} for all)
 * @param decision deny or ask
 * @param message why, and what to do instead
 * @param matchers any one of them must match (none: the rule matches every call of its tools,
 *     subject to {@code when})
 * @param when an optional CEL condition that must also hold
 * @param examples calls the rule must and must not match
 * @param enforcement whether a match decides, or is only recorded as what it would have decided
 */
public record Rule(
    String id,
    String description,
    Set<String> tools,
    Verdict decision,
    String message,
    List<Matcher> matchers,
    CelCondition when,
    List<Example> examples,
    Enforcement enforcement) {

  boolean dryRun() {
    return enforcement == Enforcement.DRYRUN;
  }

  boolean appliesTo(String tool) {
    return tools.contains("*") || tools.contains(tool);
  }
}
