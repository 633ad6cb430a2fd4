package dev.claudetelemetry.policy.paths;

import java.util.regex.Pattern;

/**
 * A path glob: {@code *} and {@code ?} stay within one segment, {@code **} spans any number of
 * segments, {@code {a,b}} is an alternative, {@code [abc]} a class. A leading {@code ~} or {@code
 * $HOME} stands for the agent's home, so it is expanded per call; every other pattern is compiled
 * once.
 */
public final class Glob {

  private final String pattern;
  private final boolean homeRelative;
  private final Pattern compiled;

  /**
   * Home-relative patterns compiled per home; homes come from requests, so the cache is kept small.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Pattern> byHome =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int MAX_HOMES = 64;

  /**
   * A cheap first test on the file name, when the pattern's last segment is simple enough to have
   * one.
   */
  private final String lastLiteral;

  private final Pattern lastSegment;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.homeRelative =
        pattern.equals("~") || pattern.startsWith("~/") || pattern.startsWith("$HOME");
    this.compiled = homeRelative ? null : Pattern.compile(toRegex(pattern));
    String body =
        homeRelative
            ? (pattern.startsWith("$HOME")
                ? pattern.substring("$HOME".length())
                : pattern.substring(1))
            : pattern;
    String trimmed =
        body.length() > 1 && body.endsWith("/") ? body.substring(0, body.length() - 1) : body;
    int slash = trimmed.lastIndexOf('/');
    String last = slash < 0 ? "" : trimmed.substring(slash + 1);
    boolean simple =
        !last.isEmpty()
            && !last.contains("**")
            && !last.contains("{")
            && !last.contains("}")
            && !last.contains("[");
    boolean wild = last.contains("*") || last.contains("?");
    this.lastLiteral = simple && !wild ? last : null;
    this.lastSegment = simple && wild ? Pattern.compile(toRegex(last)) : null;
  }

  /**
   * @throws IllegalArgumentException when the pattern is not absolute or does not compile
   */
  public static Glob of(String pattern) {
    if (!(pattern.startsWith("/")
        || pattern.startsWith("~")
        || pattern.startsWith("$HOME")
        || pattern.startsWith("**"))) {
      throw new IllegalArgumentException(
          "path pattern '" + pattern + "' must start with /, ~, $HOME or **");
    }
    return new Glob(pattern);
  }

  public String pattern() {
    return pattern;
  }

  public boolean matches(String normalizedPath, String home) {
    if (lastLiteral != null || lastSegment != null) {
      String name = normalizedPath.substring(normalizedPath.lastIndexOf('/') + 1);
      if (lastLiteral != null ? !lastLiteral.equals(name) : !lastSegment.matcher(name).matches()) {
        return false;
      }
    }
    if (!homeRelative) {
      return compiled.matcher(normalizedPath).matches();
    }
    Pattern forHome = byHome.get(home);
    if (forHome == null) {
      if (byHome.size() >= MAX_HOMES) {
        byHome.clear();
      }
      String rest =
          pattern.startsWith("$HOME") ? pattern.substring("$HOME".length()) : pattern.substring(1);
      // The home directory is literal text, whatever characters it holds.
      forHome = Pattern.compile(Pattern.quote(home) + toRegex(rest));
      byHome.put(home, forHome);
    }
    return forHome.matcher(normalizedPath).matches();
  }

  static String toRegex(String glob) {
    String g =
        glob.length() > 1 && glob.endsWith("/") ? glob.substring(0, glob.length() - 1) : glob;
    StringBuilder regex = new StringBuilder();
    int braces = 0;
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
        boolean slashAfter = i + 2 < g.length() && g.charAt(i + 2) == '/';
        boolean slashBefore = i > 0 && g.charAt(i - 1) == '/';
        if (slashAfter) {
          regex.append("(?:.*/)?");
          i += 2;
        } else if (slashBefore && i + 2 == g.length()) {
          // "dir/**" also matches "dir" itself
          regex.setLength(regex.length() - 1);
          regex.append("(?:/.*)?");
          i += 1;
        } else {
          regex.append(".*");
          i += 1;
        }
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else if (c == '{') {
        braces++;
        regex.append("(?:");
      } else if (c == '}' && braces > 0) {
        braces--;
        regex.append(')');
      } else if (c == ',' && braces > 0) {
        regex.append('|');
      } else if (c == '[') {
        int close = g.indexOf(']', i + 1);
        if (close < 0) {
          regex.append("\\[");
        } else {
          String body = g.substring(i + 1, close).replace("\\", "\\\\");
          regex
              .append('[')
              .append(body.startsWith("!") ? "^" + body.substring(1) : body)
              .append(']');
          i = close;
        }
      } else {
        if ("\\.^$|+()[]{}".indexOf(c) >= 0) {
          regex.append('\\');
        }
        regex.append(c);
      }
    }
    if (braces != 0) {
      throw new IllegalArgumentException("unbalanced braces in path pattern '" + glob + "'");
    }
    return regex.toString();
  }
}
