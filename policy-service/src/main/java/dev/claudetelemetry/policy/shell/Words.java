package dev.claudetelemetry.policy.shell;

import java.nio.charset.StandardCharsets;
import org.treesitter.TSNode;

/** Turns tree-sitter word nodes into the strings the shell would pass as argv (quote removal). */
final class Words {

  private final byte[] source;

  Words(byte[] source) {
    this.source = source;
  }

  String text(TSNode node) {
    int start = Math.max(0, Nodes.startByte(node));
    int end = Math.min(source.length, Nodes.endByte(node));
    return end > start ? new String(source, start, end - start, StandardCharsets.UTF_8) : "";
  }

  /**
   * The value of a word. Expansions ({@code $HOME}, {@code $(...)}) stay as written: paths expand
   * the ones they know, and the commands inside substitutions are judged separately.
   */
  String value(TSNode node) {
    return value(node, Nodes.type(node));
  }

  String value(TSNode node, String type) {
    switch (type) {
      case "word":
        return unescapeUnquoted(text(node));
      case "string":
        return unescapeDoubleQuoted(stripQuotes(text(node), "\"", "\""));
      case "raw_string":
        return stripQuotes(text(node), "'", "'");
      case "ansi_c_string":
        return unescapeAnsiC(stripQuotes(text(node), "$'", "'"));
      case "translated_string":
        return unescapeDoubleQuoted(stripQuotes(text(node), "$\"", "\""));
      case "concatenation":
        {
          StringBuilder out = new StringBuilder();
          int count = Nodes.childCount(node);
          for (int i = 0; i < count; i++) {
            out.append(value(Nodes.child(node, i)));
          }
          return out.toString();
        }
      default:
        return text(node);
    }
  }

  private static String stripQuotes(String text, String open, String close) {
    if (text.startsWith(open)
        && text.endsWith(close)
        && text.length() >= open.length() + close.length()) {
      return text.substring(open.length(), text.length() - close.length());
    }
    return text.startsWith(open) ? text.substring(open.length()) : text;
  }

  static String unescapeUnquoted(String text) {
    return removeBackslashes(text, null);
  }

  /** Inside double quotes a backslash only escapes {@code $ ` " \} and newline. */
  static String unescapeDoubleQuoted(String text) {
    return removeBackslashes(text, "$`\"\\\n");
  }

  /**
   * Drops each backslash before an escapable character ({@code null}: any); a backslash-newline
   * vanishes.
   */
  private static String removeBackslashes(String text, String escapable) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\'
          && i + 1 < text.length()
          && (escapable == null || escapable.indexOf(text.charAt(i + 1)) >= 0)) {
        char next = text.charAt(++i);
        if (next != '\n') {
          out.append(next);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static String unescapeAnsiC(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\' || i + 1 >= text.length()) {
        out.append(c);
        continue;
      }
      char e = text.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'e', 'E' -> out.append('\u001b');
        case 'f' -> out.append('\f');
        case 'v' -> out.append('\u000b');
        case 'x' -> i = appendCode(text, i + 1, 2, 16, out) - 1;
        case 'u' -> i = appendCode(text, i + 1, 4, 16, out) - 1;
        case 'U' -> i = appendCode(text, i + 1, 8, 16, out) - 1;
        default -> {
          if (e >= '0' && e <= '7') {
            i = appendCode(text, i, 3, 8, out) - 1;
          } else {
            out.append(e);
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * Reads up to {@code maxDigits} digits at {@code from}, appends the code point, returns the index
   * after.
   */
  private static int appendCode(
      String text, int from, int maxDigits, int radix, StringBuilder out) {
    int end = from;
    while (end < text.length()
        && end - from < maxDigits
        && Character.digit(text.charAt(end), radix) >= 0) {
      end++;
    }
    if (end == from) {
      return from;
    }
    int code = Integer.parseInt(text.substring(from, end), radix);
    if (Character.isValidCodePoint(code)) {
      out.appendCodePoint(code);
    }
    return end;
  }
}
