package dev.claudetelemetry.policy.shell;

import java.nio.charset.StandardCharsets;
import org.treesitter.TSNode;

/** Turns tree-sitter word nodes into the strings the shell would pass as argv (quote removal). */
final class Words {

  /** Values the analysis knows while it walks: variables and command substitutions. */
  interface Expansions {
    /** The value of a variable, {@code null} when it cannot be known. */
    String variable(String name);

    /** {@code ${NAME:=value}} assigns the variable. */
    void assign(String name, String value);

    /** The output of a command substitution, {@code null} when it cannot be known. */
    String substitution(TSNode node);
  }

  private static final java.util.regex.Pattern EXPANSION =
      java.util.regex.Pattern.compile(
          "\\$\\{(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(:?[-=+?]|)(.*)\\}",
          java.util.regex.Pattern.DOTALL);
  private static final java.util.regex.Pattern SIMPLE_VARIABLE =
      java.util.regex.Pattern.compile(
          "\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

  private final byte[] source;
  private final Expansions expansions;

  Words(byte[] source) {
    this(source, null);
  }

  Words(byte[] source, Expansions expansions) {
    this.source = source;
    this.expansions = expansions;
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
        return expansions == null
            ? unescapeDoubleQuoted(stripQuotes(text(node), "\"", "\""))
            : doubleQuoted(node);
      case "simple_expansion":
        {
          String text = text(node);
          String known = expansions == null ? null : expansions.variable(text.substring(1));
          return known == null ? text : known;
        }
      case "expansion":
        {
          String text = text(node);
          String known = expansions == null ? null : expansion(text);
          return known == null ? text : known;
        }
      case "command_substitution":
        {
          String known = expansions == null ? null : expansions.substitution(node);
          return known == null ? text(node) : known;
        }
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

  /**
   * A double-quoted string whose expansions and substitutions are replaced by their values where
   * known; the text between them loses its quoting backslashes.
   */
  private String doubleQuoted(TSNode node) {
    int start = Nodes.startByte(node);
    int end = Nodes.endByte(node);
    if (end - start < 2 || source[start] != '"' || source[end - 1] != '"') {
      return unescapeDoubleQuoted(stripQuotes(text(node), "\"", "\""));
    }
    StringBuilder out = new StringBuilder();
    int position = start + 1;
    int count = Nodes.namedChildCount(node);
    for (int i = 0; i < count; i++) {
      TSNode child = Nodes.namedChild(node, i);
      String type = Nodes.type(child);
      if (type.equals("string_content")) {
        continue;
      }
      int childStart = Nodes.startByte(child);
      int childEnd = Nodes.endByte(child);
      if (childStart < position || childEnd > end - 1) {
        continue;
      }
      out.append(unescapeDoubleQuoted(slice(position, childStart)));
      out.append(value(child, type));
      position = childEnd;
    }
    out.append(unescapeDoubleQuoted(slice(position, end - 1)));
    return out.toString();
  }

  private String slice(int from, int to) {
    return to > from ? new String(source, from, to - from, StandardCharsets.UTF_8) : "";
  }

  /**
   * {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME:=default}}, {@code
   * ${NAME:+alternative}}: the value where known. A default whose variable cannot be known is the
   * worst plausible value: the one written down.
   */
  private String expansion(String text) {
    java.util.regex.Matcher matcher = EXPANSION.matcher(text);
    if (!matcher.matches() || !matcher.group(1).isEmpty()) {
      return null;
    }
    String name = matcher.group(2);
    String operator = matcher.group(3);
    String word = matcher.group(4);
    String value = expansions.variable(name);
    if (operator.isEmpty()) {
      return word.isEmpty() ? value : null;
    }
    boolean colon = operator.startsWith(":");
    boolean set = value != null && (!colon || !value.isEmpty());
    String literal = literalWord(word);
    switch (operator.charAt(operator.length() - 1)) {
      case '-':
        return set ? value : literal;
      case '=':
        if (!set && literal != null) {
          expansions.assign(name, literal);
        }
        return set ? value : literal;
      case '+':
        return value != null && !set ? "" : literal;
      default:
        return value;
    }
  }

  /** A default word after quote removal, its simple variables replaced where known. */
  private String literalWord(String word) {
    String unquoted;
    if (word.length() >= 2 && word.startsWith("'") && word.endsWith("'")) {
      return word.substring(1, word.length() - 1);
    } else if (word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"")) {
      unquoted = unescapeDoubleQuoted(word.substring(1, word.length() - 1));
    } else {
      unquoted = unescapeUnquoted(word);
    }
    java.util.regex.Matcher variable = SIMPLE_VARIABLE.matcher(unquoted);
    StringBuilder out = new StringBuilder();
    while (variable.find()) {
      String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
      String known = expansions.variable(name);
      variable.appendReplacement(
          out, java.util.regex.Matcher.quoteReplacement(known == null ? variable.group() : known));
    }
    variable.appendTail(out);
    return out.toString();
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
