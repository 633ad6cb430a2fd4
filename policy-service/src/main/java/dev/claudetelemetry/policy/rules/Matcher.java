package dev.claudetelemetry.policy.rules;

/**
 * One way a rule can match: a shell command, the paths a call touches, or both on the same command.
 *
 * @param command conditions on a simple shell command, or {@code null}
 * @param paths conditions on touched paths, or {@code null}
 */
record Matcher(CommandMatcher command, PathMatcher paths) {}
