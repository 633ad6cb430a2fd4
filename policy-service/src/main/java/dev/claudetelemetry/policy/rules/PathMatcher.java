package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.Glob;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Matches the paths a call touches: the file of a file tool, the operands and redirections of a
 * shell command.
 *
 * @param paths globs over normalised absolute paths
 * @param except globs that never match
 * @param access read, write, or {@code null} for any use
 * @param exceptCommands shell commands whose operands do not count (their redirections still do),
 *     e.g. {@code echo} prints a file's name, not its content
 */
record PathMatcher(List<Glob> paths, List<Glob> except, Access access, Set<String> exceptCommands) {

  /** The first matching path as the call wrote it. */
  Optional<String> match(List<PathUse> uses, String commandName, String home) {
    boolean operandsExempt = exceptCommands.contains(commandName);
    for (PathUse use : uses) {
      if (!use.access().satisfies(access) || (use.operand() && operandsExempt)) {
        continue;
      }
      if (matches(use.normalized(), home)
          || use.resolved().filter(resolved -> matches(resolved, home)).isPresent()) {
        return Optional.of(use.written());
      }
    }
    return Optional.empty();
  }

  private boolean matches(String path, String home) {
    for (Glob glob : except) {
      if (glob.matches(path, home)) {
        return false;
      }
    }
    for (Glob glob : paths) {
      if (glob.matches(path, home)) {
        return true;
      }
    }
    return false;
  }
}
