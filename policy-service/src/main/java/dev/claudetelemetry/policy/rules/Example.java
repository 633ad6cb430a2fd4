package dev.claudetelemetry.policy.rules;

/**
 * One of a rule's examples: a tool call and whether the rule must match it.
 *
 * @param label how the example was written in the policy (for messages)
 * @param call the tool call
 * @param expectMatch {@code true} for the rule's own decision ({@code deny:} / {@code ask:}),
 *     {@code false} for {@code allow:}
 */
record Example(String label, ToolCall call, boolean expectMatch) {}
