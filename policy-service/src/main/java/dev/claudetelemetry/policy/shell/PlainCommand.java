package dev.claudetelemetry.policy.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recognises command lines with nothing for the shell to interpret (no quotes, escapes, expansions,
 * globs, operators, redirections, comments, assignments or keywords), whose argv is simply their
 * words. Most tool calls look like this ({@code git status}, {@code npm test}), and they skip the
 * tree-sitter round trip.
 */
final class PlainCommand {

  private static final Set<String> RESERVED =
      Set.of(
          "if",
          "then",
          "else",
          "elif",
          "fi",
          "case",
          "esac",
          "for",
          "select",
          "while",
          "until",
          "do",
          "done",
          "in",
          "function",
          "time",
          "coproc",
          "{",
          "}",
          "!",
          "[[",
          "]]");

  private PlainCommand() {}

  static boolean isPlain(String source) {
    if (source.isBlank()) {
      return false;
    }
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == ' '
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '/'
              || c == ','
              || c == ':'
              || c == '+'
              || c == '@'
              || c == '%'
              || c == '=';
      if (!plain) {
        return false;
      }
    }
    List<String> words = words(source);
    // "A=1 cmd" is an assignment, not a command named "A=1"; keywords start compound commands.
    return !words.isEmpty() && words.get(0).indexOf('=') < 0 && !RESERVED.contains(words.get(0));
  }

  static List<String> words(String source) {
    List<String> words = new ArrayList<>();
    for (String word : source.trim().split(" +")) {
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    return words;
  }
}
