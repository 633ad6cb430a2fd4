package dev.claudetelemetry.transcript.redaction;

import java.util.Map;

/**
 * Rewrites a Go (RE2) regex into Java's dialect where the two read the same text differently.
 * gitleaks' rules are written for RE2; most compile unchanged in Java, but a few constructs either
 * fail to compile or, worse, compile with another meaning:
 *
 * <ul>
 *   <li>{@code [[:alnum:]]}: in Java a nested class of the characters {@code :alnum}, so it becomes
 *       {@code \p{Alnum}}.
 *   <li>{@code [} inside a class is a literal in RE2 and opens a nested class in Java; {@code &&}
 *       inside a class is a literal in RE2 and an intersection in Java: both are escaped.
 *   <li>{@code {} that does not start a repetition ({@code ${VAR}}) is a literal in RE2 and an error
 *       in Java: escaped.
 *   <li>{@code (?P<name>} is RE2's named group; Java spells it {@code (?<name>} and allows only
 *       letters and digits in the name ({@code key_ops} becomes {@code keyops}).
 * </ul>
 *
 * Anything else is passed through; what still does not compile is reported by the caller.
 */
final class Re2Syntax {
  private static final Map<String, String> POSIX_CLASSES =
      Map.ofEntries(
          Map.entry("alnum", "\\p{Alnum}"),
          Map.entry("alpha", "\\p{Alpha}"),
          Map.entry("ascii", "\\p{ASCII}"),
          Map.entry("blank", "\\p{Blank}"),
          Map.entry("cntrl", "\\p{Cntrl}"),
          Map.entry("digit", "\\p{Digit}"),
          Map.entry("graph", "\\p{Graph}"),
          Map.entry("lower", "\\p{Lower}"),
          Map.entry("print", "\\p{Print}"),
          Map.entry("punct", "\\p{Punct}"),
          Map.entry("space", "\\s"),
          Map.entry("upper", "\\p{Upper}"),
          Map.entry("word", "\\w"),
          Map.entry("xdigit", "\\p{XDigit}"));

  private Re2Syntax() {}

  static String toJava(String re2) {
    StringBuilder out = new StringBuilder(re2.length() + 16);
    boolean inClass = false;
    int i = 0;
    while (i < re2.length()) {
      char c = re2.charAt(i);
      if (c == '\\' && i + 1 < re2.length()) {
        out.append(c).append(re2.charAt(i + 1));
        i += 2;
        continue;
      }
      if (inClass) {
        if (c == '[' && re2.startsWith("[:", i)) {
          int end = re2.indexOf(":]", i + 2);
          String name = end < 0 ? null : re2.substring(i + 2, end);
          boolean negated = name != null && name.startsWith("^");
          String java = name == null ? null : POSIX_CLASSES.get(negated ? name.substring(1) : name);
          if (java != null) {
            out.append(negated ? negate(java) : java);
            i = end + 2;
            continue;
          }
        }
        if (c == '[') {
          out.append("\\[");
        } else if (c == '&' && i + 1 < re2.length() && re2.charAt(i + 1) == '&') {
          out.append("\\&");
        } else {
          out.append(c);
          if (c == ']') {
            inClass = false;
          }
        }
        i++;
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        i++;
        // A ']' right after '[' or '[^' is a literal in RE2; escaped, Java reads it the same way.
        if (i < re2.length() && re2.charAt(i) == '^') {
          out.append('^');
          i++;
        }
        if (i < re2.length() && re2.charAt(i) == ']') {
          out.append("\\]");
          i++;
        }
        continue;
      }
      if (c == '{' && !startsRepetition(re2, i)) {
        out.append("\\{");
        i++;
        continue;
      }
      if (c == '(' && re2.startsWith("(?P<", i) && re2.indexOf('>', i) > 0) {
        int close = re2.indexOf('>', i);
        out.append("(?<").append(re2.substring(i + 4, close).replaceAll("[^A-Za-z0-9]", ""));
        out.append('>');
        i = close + 1;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /** {@code \p{Alnum}} to {@code \P{Alnum}}, {@code \s} to {@code \S}, {@code \w} to {@code \W}. */
  private static String negate(String java) {
    char kind = java.charAt(1);
    return "\\" + Character.toUpperCase(kind) + java.substring(2);
  }

  /** True at a '{' that RE2 reads as {@code {n}}, {@code {n,}} or {@code {n,m}}. */
  private static boolean startsRepetition(String re, int open) {
    int i = open + 1;
    int digits = 0;
    while (i < re.length() && Character.isDigit(re.charAt(i))) {
      i++;
      digits++;
    }
    if (digits == 0 || i >= re.length()) {
      return false;
    }
    if (re.charAt(i) == '}') {
      return true;
    }
    if (re.charAt(i) != ',') {
      return false;
    }
    i++;
    while (i < re.length() && Character.isDigit(re.charAt(i))) {
      i++;
    }
    return i < re.length() && re.charAt(i) == '}';
  }
}
