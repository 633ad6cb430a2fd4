package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.Glob;
import java.util.List;
import java.util.Map;

/**
 * Policy-wide settings.
 *
 * @param workspaceRoots globs for workspace roots; the shallowest directory of the call's {@code
 *     cwd} that matches one is the workspace (otherwise {@code cwd} itself)
 * @param home the agent's home directory; {@code null} to derive it from the call's transcript path
 * @param unparseable the verdict for a Bash command the analysis does not fully understand and no
 *     rule matched
 * @param exampleCwd the {@code cwd} of examples written as plain command strings
 * @param opaque the verdict for a Bash command that runs something the guard cannot know before it
 *     runs (a shell or interpreter fed code from a file, a download or a variable; a command name
 *     in a variable), and for a rule whose only dangerous target is such a value
 * @param environment variables whose value the platform fixes for every command the agent runs
 *     (Claude Code's managed settings pin them), so {@code $NAME} means that value unless the
 *     command line assigns it
 */
public record PolicySettings(
    List<Glob> workspaceRoots,
    String home,
    Verdict unparseable,
    String exampleCwd,
    Verdict opaque,
    Map<String, String> environment) {

  public PolicySettings {
    environment = Map.copyOf(environment);
  }

  public PolicySettings(
      List<Glob> workspaceRoots, String home, Verdict unparseable, String exampleCwd) {
    this(workspaceRoots, home, unparseable, exampleCwd, Verdict.ASK, Map.of());
  }
}
