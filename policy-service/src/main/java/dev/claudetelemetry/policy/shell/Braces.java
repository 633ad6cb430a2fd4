package dev.claudetelemetry.policy.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Brace expansion ({@code /{etc,usr}}, {@code file{1..3}}) of a word whose braces are outside
 * quotes, as the shell does before anything else. Bounded: a word expands to at most {@link #LIMIT}
 * words.
 */
final class Braces {

  static final int LIMIT = 64;

  private Braces() {}

  /** Whether the raw text of a word has a brace group outside quotes the shell would expand. */
  static boolean expands(String raw) {
    if (raw.indexOf('{') < 0) {
      return false;
    }
    char quote = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"') {
          i++;
        }
      } else if (c == '\\') {
        i++;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '{' && (i == 0 || raw.charAt(i - 1) != '$')) {
        int close = matching(raw, i);
        if (close > 0) {
          String body = raw.substring(i + 1, close);
          if (topLevelComma(body) || body.matches("-?\\w+\\.\\.-?\\w+(\\.\\.-?\\d+)?")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The words {@code value} expands to (itself alone when it has no brace group). */
  static List<String> expand(String value) {
    List<String> out = new ArrayList<>();
    expandInto(value, out, 0);
    return out.isEmpty() ? List.of(value) : out;
  }

  private static void expandInto(String value, List<String> out, int level) {
    if (out.size() >= LIMIT) {
      return;
    }
    int open = -1;
    int close = -1;
    List<String> alternatives = null;
    for (int i = 0; i < value.length() && alternatives == null; i++) {
      if (value.charAt(i) == '{' && (i == 0 || value.charAt(i - 1) != '$')) {
        int end = matching(value, i);
        if (end > 0) {
          alternatives = alternatives(value.substring(i + 1, end));
          if (alternatives != null) {
            open = i;
            close = end;
          }
        }
      }
    }
    if (alternatives == null || level > 8) {
      out.add(value);
      return;
    }
    String prefix = value.substring(0, open);
    String suffix = value.substring(close + 1);
    for (String alternative : alternatives) {
      if (out.size() >= LIMIT) {
        return;
      }
      expandInto(prefix + alternative + suffix, out, level + 1);
    }
  }

  private static List<String> alternatives(String body) {
    if (topLevelComma(body)) {
      List<String> parts = new ArrayList<>();
      int depth = 0;
      int start = 0;
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        if (c == '{') {
          depth++;
        } else if (c == '}') {
          depth--;
        } else if (c == ',' && depth == 0) {
          parts.add(body.substring(start, i));
          start = i + 1;
        }
      }
      parts.add(body.substring(start));
      return parts;
    }
    java.util.regex.Matcher range =
        java.util.regex.Pattern.compile("(-?\\d+)\\.\\.(-?\\d+)(?:\\.\\.(-?\\d+))?").matcher(body);
    if (range.matches()) {
      try {
        long from = Long.parseLong(range.group(1));
        long to = Long.parseLong(range.group(2));
        long step =
            range.group(3) == null ? 1 : Math.max(1, Math.abs(Long.parseLong(range.group(3))));
        List<String> parts = new ArrayList<>();
        for (long n = from; (from <= to ? n <= to : n >= to) && parts.size() < LIMIT; ) {
          parts.add(Long.toString(n));
          n = from <= to ? n + step : n - step;
        }
        return parts;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (body.matches("[a-zA-Z]\\.\\.[a-zA-Z]")) {
      char from = body.charAt(0);
      char to = body.charAt(3);
      List<String> parts = new ArrayList<>();
      for (char c = from; from <= to ? c <= to : c >= to; c = (char) (from <= to ? c + 1 : c - 1)) {
        parts.add(String.valueOf(c));
      }
      return parts;
    }
    return null;
  }

  private static boolean topLevelComma(String body) {
    int depth = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        return true;
      }
    }
    return false;
  }

  private static int matching(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
