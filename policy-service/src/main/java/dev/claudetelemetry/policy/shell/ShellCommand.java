package dev.claudetelemetry.policy.shell;

import java.util.List;

/**
 * One simple command as the shell would run it: its argv after quote removal and wrapper
 * unwrapping, the redirections that apply to it, and where its input comes from.
 *
 * @param argv words after quote removal; variables such as {@code $HOME} are left for path
 *     normalisation
 * @param redirects file redirections of this command (and of the compound statement around it)
 * @param cwd the directory the command runs in (follows {@code cd} earlier in the same list)
 * @param upstream names of the commands earlier in the same pipeline (they feed its stdin)
 * @param substitutions names of the commands whose output is substituted into its words ({@code
 *     $(...)}, backticks, {@code <(...)})
 * @param depth how many {@code bash -c} / {@code eval} levels deep it was found
 */
public record ShellCommand(
    List<String> argv,
    List<Redirect> redirects,
    String cwd,
    List<String> upstream,
    List<String> substitutions,
    int depth) {

  public ShellCommand {
    argv = List.copyOf(argv);
    redirects = List.copyOf(redirects);
    upstream = List.copyOf(upstream);
    substitutions = List.copyOf(substitutions);
  }

  /** The command's base name: {@code /usr/bin/rm} and {@code rm} are both {@code rm}. */
  public String name() {
    return argv.isEmpty() ? "" : baseName(argv.get(0));
  }

  /** The arguments after the command name. */
  public List<String> args() {
    return argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
  }

  /** Readable form for messages: words joined by spaces, quoted when they hold spaces. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (String word : argv) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(needsQuotes(word) ? "'" + word.replace("'", "'\\''") + "'" : word);
    }
    for (Redirect redirect : redirects) {
      out.append(' ').append(redirect.operator()).append(' ').append(redirect.target());
    }
    return out.toString();
  }

  private static boolean needsQuotes(String word) {
    if (word.isEmpty()) {
      return true;
    }
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (Character.isWhitespace(c) || c == '\'' || c == '"') {
        return true;
      }
    }
    return false;
  }

  static String baseName(String word) {
    int slash = word.lastIndexOf('/');
    return slash >= 0 && slash < word.length() - 1 ? word.substring(slash + 1) : word;
  }
}
