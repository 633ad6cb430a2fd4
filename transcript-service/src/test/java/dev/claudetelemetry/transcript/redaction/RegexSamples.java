package dev.claudetelemetry.transcript.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Random strings that a Java regex matches, for the rules that carry no example secret: literals
 * are kept as written (so the rule's keywords appear), every character class is sampled among
 * printable ASCII by asking Java's own regex engine which characters it accepts, alternatives and
 * repetition counts are drawn at random. Zero-width parts ({@code \b}, anchors, lookarounds) emit
 * nothing, so a caller checks the sample against the rule and draws again when it does not fit.
 */
final class RegexSamples {
  private final String re;
  private final Random random;
  private int pos;
  private boolean ignoreCase;

  private RegexSamples(String re, Random random) {
    this.re = re;
    this.random = random;
  }

  static String sample(String regex, Random random) {
    RegexSamples parser = new RegexSamples(regex, random);
    StringBuilder out = new StringBuilder();
    parser.alternation().emit(out, random);
    return out.toString();
  }

  private interface Node {
    void emit(StringBuilder out, Random random);
  }

  private record Literal(String text) implements Node {
    public void emit(StringBuilder out, Random random) {
      out.append(text);
    }
  }

  private record CharSet(char[] chars) implements Node {
    public void emit(StringBuilder out, Random random) {
      out.append(chars[random.nextInt(chars.length)]);
    }
  }

  private record Seq(List<Node> parts) implements Node {
    public void emit(StringBuilder out, Random random) {
      parts.forEach(p -> p.emit(out, random));
    }
  }

  private record Alt(List<Node> options) implements Node {
    public void emit(StringBuilder out, Random random) {
      options.get(random.nextInt(options.size())).emit(out, random);
    }
  }

  private record Repeat(Node node, int min, int max) implements Node {
    public void emit(StringBuilder out, Random random) {
      int upper = Math.min(max, min + 8);
      int n = min + random.nextInt(upper - min + 1);
      for (int i = 0; i < n; i++) {
        node.emit(out, random);
      }
    }
  }

  private static final Node EMPTY = new Literal("");

  private Node alternation() {
    List<Node> options = new ArrayList<>();
    options.add(sequence());
    while (pos < re.length() && re.charAt(pos) == '|') {
      pos++;
      options.add(sequence());
    }
    return options.size() == 1 ? options.get(0) : new Alt(options);
  }

  private Node sequence() {
    List<Node> parts = new ArrayList<>();
    while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
      Node atom = atom();
      parts.add(quantified(atom));
    }
    return new Seq(parts);
  }

  private Node quantified(Node atom) {
    if (pos >= re.length()) {
      return atom;
    }
    char c = re.charAt(pos);
    int min;
    int max;
    if (c == '?') {
      min = 0;
      max = 1;
      pos++;
    } else if (c == '*') {
      min = 0;
      max = 3;
      pos++;
    } else if (c == '+') {
      min = 1;
      max = 4;
      pos++;
    } else if (c == '{'
        && re.indexOf('}', pos) > 0
        && re.substring(pos + 1, re.indexOf('}', pos)).matches("\\d+(,\\d*)?")) {
      String[] bounds = re.substring(pos + 1, re.indexOf('}', pos)).split(",", -1);
      min = Integer.parseInt(bounds[0]);
      max = bounds.length == 1 ? min : bounds[1].isEmpty() ? min + 8 : Integer.parseInt(bounds[1]);
      pos = re.indexOf('}', pos) + 1;
    } else {
      return atom;
    }
    if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) {
      pos++;
    }
    return quantified(new Repeat(atom, min, max));
  }

  private Node atom() {
    char c = re.charAt(pos);
    switch (c) {
      case '(':
        return group();
      case '[':
        return charClass();
      case '.':
        pos++;
        return new CharSet(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray());
      case '^':
      case '$':
        pos++;
        return EMPTY;
      case '\\':
        return escape();
      default:
        pos++;
        return new Literal(String.valueOf(c));
    }
  }

  private Node group() {
    pos++;
    boolean outerIgnoreCase = ignoreCase;
    boolean zeroWidth = false;
    if (re.startsWith("?", pos)) {
      if (re.startsWith("?:", pos)) {
        pos += 2;
      } else if (re.startsWith("?=", pos) || re.startsWith("?!", pos)) {
        pos += 2;
        zeroWidth = true;
      } else if (re.startsWith("?<=", pos) || re.startsWith("?<!", pos)) {
        pos += 3;
        zeroWidth = true;
      } else if (re.startsWith("?<", pos)) {
        pos = re.indexOf('>', pos) + 1;
      } else {
        // Flags: (?i) (?-i) (?s) and their scoped forms (?i:...).
        int end = pos + 1;
        while (end < re.length() && re.charAt(end) != ')' && re.charAt(end) != ':') {
          end++;
        }
        String flags = re.substring(pos + 1, end);
        boolean on = !flags.startsWith("-");
        if (flags.contains("i")) {
          ignoreCase = on;
        }
        pos = end + 1;
        if (re.charAt(end) == ')') {
          // A flag switch applies to the rest of the enclosing group; keep it past this atom.
          return EMPTY;
        }
      }
    }
    Node inner = alternation();
    pos++; // ')'
    ignoreCase = outerIgnoreCase;
    return zeroWidth ? EMPTY : inner;
  }

  private Node charClass() {
    int start = pos;
    int depth = 0;
    while (true) {
      char c = re.charAt(pos);
      if (c == '\\') {
        pos += 2;
        continue;
      }
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
        if (depth == 0) {
          pos++;
          break;
        }
      }
      pos++;
    }
    return chars(re.substring(start, pos));
  }

  private Node escape() {
    char e = re.charAt(pos + 1);
    switch (e) {
      case 'b', 'B', 'A', 'z', 'Z', 'G':
        pos += 2;
        return EMPTY;
      case 'n':
        pos += 2;
        return new Literal("\n");
      case 'r':
        pos += 2;
        return new Literal("\r");
      case 't':
        pos += 2;
        return new Literal("\t");
      case 'x':
        pos += 4;
        return new Literal(String.valueOf((char) Integer.parseInt(re.substring(pos - 2, pos), 16)));
      case 'd', 'D', 'w', 'W', 's', 'S':
        pos += 2;
        return chars("\\" + e);
      case 'p', 'P':
        int end = re.charAt(pos + 2) == '{' ? re.indexOf('}', pos) + 1 : pos + 3;
        String cls = re.substring(pos, end);
        pos = end;
        return chars(cls);
      default:
        pos += 2;
        return new Literal(String.valueOf(e));
    }
  }

  /** The printable ASCII characters (space only if nothing else) that {@code javaClass} accepts. */
  private Node chars(String javaClass) {
    Pattern single = Pattern.compile(javaClass, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    StringBuilder accepted = new StringBuilder();
    for (char c = 33; c < 127; c++) {
      if (single.matcher(String.valueOf(c)).matches()) {
        accepted.append(c);
      }
    }
    for (char c : new char[] {' ', '\t', '\n'}) {
      if (accepted.isEmpty() && single.matcher(String.valueOf(c)).matches()) {
        accepted.append(c);
      }
    }
    if (accepted.isEmpty()) {
      throw new IllegalArgumentException("no printable character matches " + javaClass);
    }
    return new CharSet(accepted.toString().toCharArray());
  }
}
