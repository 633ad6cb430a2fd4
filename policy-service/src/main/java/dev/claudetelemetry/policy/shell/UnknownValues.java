package dev.claudetelemetry.policy.shell;

import java.util.regex.Pattern;

/**
 * Tells words whose value the guard cannot know before the command runs: they still hold a
 * parameter expansion or a command substitution that the analysis could not resolve ({@code $DIR},
 * {@code $(cat list)}, what {@code xargs} reads from a producer it cannot know). {@code $HOME} is
 * known: paths expand it.
 */
public final class UnknownValues {

  private static final Pattern EXPANSION =
      Pattern.compile("\\$(?:[A-Za-z_][A-Za-z0-9_]*|\\{[^}]*\\}?|\\(|[0-9@*#?!$-])|`");

  private UnknownValues() {}

  /** Whether {@code word} holds an expansion the analysis left unresolved. */
  public static boolean isUnknown(String word) {
    if (word.indexOf('$') < 0 && word.indexOf('`') < 0) {
      return false;
    }
    java.util.regex.Matcher matcher = EXPANSION.matcher(word);
    while (matcher.find()) {
      String found = matcher.group();
      if (!found.equals("$HOME") && !found.equals("${HOME}")) {
        return true;
      }
      int end = matcher.end();
      if (found.equals("$HOME")
          && end < word.length()
          && (Character.isLetterOrDigit(word.charAt(end)) || word.charAt(end) == '_')) {
        return true;
      }
    }
    return false;
  }

  /** The word standing for input the guard cannot know, named after where it comes from. */
  static String placeholder(String source) {
    return "$(" + source + ")";
  }
}
