package dev.claudetelemetry.policy.rules;

import dev.claudetelemetry.policy.paths.Glob;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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

  /**
   * Whether the path matches, or — when its last segment is a shell glob ({@code cat .env*}, {@code
   * cp ~/.ssh/id* x}) — whether the glob could expand to a name this matcher protects. Without the
   * agent's file system at hand, each protected name is represented by one witness: its pattern's
   * last segment with wildcards dropped ({@code .env.*} gives {@code .env.}).
   */
  private boolean matches(String path, String home) {
    if (matchesPath(path, home)) {
      return true;
    }
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    if (slash < 0 || !isShellGlob(last)) {
      return false;
    }
    Pattern expansion = shellGlob(last);
    for (Glob glob : paths) {
      String witness = witness(glob.pattern());
      if (witness != null
          && expansion.matcher(witness).matches()
          && matchesPath(path.substring(0, slash) + "/" + witness, home)) {
        return true;
      }
    }
    return false;
  }

  static boolean isShellGlob(String segment) {
    return segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0 || segment.indexOf('[') >= 0;
  }

  /** A name the last segment of {@code pattern} matches, or {@code null} when there is none. */
  static String witness(String pattern) {
    String last = pattern.substring(pattern.lastIndexOf('/') + 1);
    if (last.isEmpty() || last.equals("**") || last.indexOf('[') >= 0) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < last.length(); i++) {
      char c = last.charAt(i);
      if (c == '*') {
        continue;
      }
      if (c == '?') {
        name.append('x');
      } else if (c == '{') {
        int end = last.indexOf('}', i);
        int comma = last.indexOf(',', i);
        int stop = comma >= 0 && comma < end ? comma : end;
        if (end < 0) {
          return null;
        }
        name.append(last, i + 1, stop);
        i = end;
      } else {
        name.append(c);
      }
    }
    return name.isEmpty() || name.toString().equals("~") ? null : name.toString();
  }

  /**
   * A shell glob as bash expands it: {@code *} and {@code ?} do not match a leading dot, {@code
   * [...]} is a character class.
   */
  static Pattern shellGlob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> regex.append(i == 0 ? "(?!\\.)[^/]*" : "[^/]*");
        case '?' -> regex.append(i == 0 ? "[^/.]" : "[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 2);
          if (end < 0) {
            regex.append("\\[");
          } else {
            String body = glob.substring(i + 1, end);
            if (body.startsWith("!")) {
              body = "^" + body.substring(1);
            }
            regex.append('[').append(body.replace("\\", "\\\\")).append(']');
            i = end;
          }
        }
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    try {
      return Pattern.compile(regex.toString());
    } catch (java.util.regex.PatternSyntaxException e) {
      return Pattern.compile(Pattern.quote(glob));
    }
  }

  private boolean matchesPath(String path, String home) {
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
