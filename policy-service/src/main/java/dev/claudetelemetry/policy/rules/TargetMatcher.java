package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.Glob;
import dev.claudetelemetry.policy.paths.PathContext;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.shell.UnknownValues;
import java.util.List;
import java.util.Optional;

/**
 * Which operands of a command count as dangerous targets: anything outside the workspace, the
 * workspace root itself, or paths matching globs. {@code except} globs (the scratch directories)
 * are not targets, unless the path is, holds or lies inside the home or the workspace: a home or a
 * workspace that happens to sit below {@code /tmp} is still the home or the workspace.
 */
record TargetMatcher(
    boolean outsideWorkspace, boolean workspaceRoot, List<Glob> paths, List<Glob> except) {

  /** The first operand that is a target, as written. */
  Optional<String> firstTarget(List<String> operands, String cwd, CallFacts facts) {
    PathContext call = facts.paths;
    String base = PathNormalizer.normalize(cwd, call.cwd(), call.home());
    for (String operand : operands) {
      String normalized = PathNormalizer.normalize(operand, base, call.home());
      if (isTarget(normalized, call)) {
        return Optional.of(operand);
      }
      Optional<String> resolved = facts.resolveSymlinks(normalized, false);
      if (resolved.isPresent() && isTarget(resolved.get(), call)) {
        return Optional.of(operand);
      }
    }
    return Optional.empty();
  }

  /**
   * The first operand whose value is not known before the command runs ({@code "$DIR"}, what {@code
   * xargs} reads from a producer the guard cannot know): it may be any path.
   */
  Optional<String> firstUnknown(List<String> operands) {
    for (String operand : operands) {
      if (UnknownValues.isUnknown(operand)) {
        return Optional.of(operand);
      }
    }
    return Optional.empty();
  }

  private boolean isTarget(String path, PathContext call) {
    if (!holdsOrInside(path, call.home()) && !holdsOrInside(path, call.workspace())) {
      for (Glob glob : except) {
        if (glob.matches(path, call.home())) {
          return false;
        }
      }
    }
    if (outsideWorkspace && !PathNormalizer.isWithin(path, call.workspace())) {
      return true;
    }
    if (workspaceRoot && path.equals(call.workspace())) {
      return true;
    }
    for (Glob glob : paths) {
      if (glob.matches(path, call.home())) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code path} is {@code directory}, one of its ancestors, or inside it; a path with wildcards
   * ({@code /tmp/*}, {@code ../*}) when they can match the directory or one of its ancestors.
   */
  private static boolean holdsOrInside(String path, String directory) {
    if (PathNormalizer.isWithin(path, directory) || PathNormalizer.isWithin(directory, path)) {
      return true;
    }
    if (path.indexOf('*') < 0 && path.indexOf('?') < 0 && path.indexOf('[') < 0) {
      return false;
    }
    Glob pattern;
    try {
      pattern = Glob.of(path);
    } catch (IllegalArgumentException e) {
      return true;
    }
    for (String ancestor = directory;
        ancestor.length() > 1;
        ancestor = ancestor.substring(0, Math.max(1, ancestor.lastIndexOf('/')))) {
      if (pattern.matches(ancestor, "/")) {
        return true;
      }
    }
    return false;
  }
}
