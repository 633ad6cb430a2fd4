package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.Glob;
import java.util.List;

/**
 * Policy-wide settings.
 *
 * @param workspaceRoots globs for workspace roots; the shallowest directory of the call's {@code
 *     cwd} that matches one is the workspace (otherwise {@code cwd} itself)
 * @param home the agent's home directory; {@code null} to derive it from the call's transcript path
 * @param unparseable the verdict for a Bash command the analysis does not fully understand and no
 *     rule matched
 * @param exampleCwd the {@code cwd} of examples written as plain command strings
 */
public record PolicySettings(
    List<Glob> workspaceRoots, String home, Verdict unparseable, String exampleCwd) {}
