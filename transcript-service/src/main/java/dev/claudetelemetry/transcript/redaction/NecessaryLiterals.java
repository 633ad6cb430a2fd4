package dev.claudetelemetry.transcript.redaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Literals that every match of a regex contains: a list of sets, and each match contains (ASCII
 * case aside) a string of every set. A regex is not worth running on text that lacks one, whatever
 * its keywords say; this matters for rules such as gitleaks' curl-auth-user, whose keyword ("curl")
 * is common in tool output while the rest of a match ({@code " -u"}, {@code " --user"}) is not, and
 * whose regex, from each "curl", searches the next six lines.
 *
 * <p>Found the way RE2 and code search prefilter: literals, small character classes and
 * alternatives of them are exact sets of strings, concatenation multiplies adjacent sets, anything
 * else (a large class, a repetition that may be empty) breaks a run. Only a subset of Java's syntax
 * is read: a regex with anything else (flags, quoting, escapes it does not know) yields no
 * literals, which only means the regex is always tried. Literals are lower case, matched ASCII
 * case-insensitively, so a case-sensitive regex only gets a looser filter.
 */
final class NecessaryLiterals {
  /** A set of more strings than this is no longer cheap to look for; it is dropped. */
  private static final int MAX_SET = 16;

  /** Shorter strings (a lone "=" or ":") are in almost every text and filter nothing. */
  private static final int MIN_LENGTH = 3;

  private final String re;
  private int pos;

  private NecessaryLiterals(String re) {
    this.re = re;
  }

  /** The sets for {@code regex}; empty when nothing useful is known. */
  static List<Set<String>> of(String regex) {
    Info info;
    try {
      NecessaryLiterals parser = new NecessaryLiterals(regex);
      info = parser.alternation();
      if (parser.pos != regex.length()) {
        return List.of();
      }
    } catch (Unsupported e) {
      return List.of();
    }
    List<Set<String>> sets = new ArrayList<>(info.required);
    if (info.exact != null) {
      sets.add(info.exact);
    }
    return sets.stream()
        .filter(set -> set.size() <= MAX_SET)
        .filter(set -> set.stream().allMatch(s -> s.length() >= MIN_LENGTH))
        .distinct()
        .toList();
  }

  /** Thrown where the parser meets syntax it does not read. */
  private static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  /**
   * What a part of the regex matches: {@code exact}, every string it can match (null: too many or
   * unknown); {@code required}, sets of which every match holds a string each.
   */
  private record Info(Set<String> exact, List<Set<String>> required) {
    static final Info ANY = new Info(null, List.of());
    static final Info EMPTY = new Info(Set.of(""), List.of());

    /** The most selective single set this part guarantees, or null. */
    Set<String> best() {
      List<Set<String>> all = new ArrayList<>(required);
      if (exact != null) {
        all.add(exact);
      }
      return all.stream()
          .filter(set -> !set.contains(""))
          .max(Comparator.comparingInt(NecessaryLiterals::shortest))
          .orElse(null);
    }
  }

  private static int shortest(Set<String> set) {
    return set.stream().mapToInt(String::length).min().orElse(0);
  }

  private Info alternation() {
    List<Info> alternatives = new ArrayList<>();
    alternatives.add(concatenation());
    while (pos < re.length() && re.charAt(pos) == '|') {
      pos++;
      alternatives.add(concatenation());
    }
    if (alternatives.size() == 1) {
      return alternatives.get(0);
    }
    Set<String> exact = new LinkedHashSet<>();
    Set<String> anyOf = new LinkedHashSet<>();
    for (Info alternative : alternatives) {
      if (exact != null && alternative.exact != null) {
        exact.addAll(alternative.exact);
      } else {
        exact = null;
      }
      Set<String> best = alternative.best();
      if (anyOf != null && best != null) {
        anyOf.addAll(best);
      } else {
        anyOf = null;
      }
    }
    if (exact != null && exact.size() <= MAX_SET) {
      return new Info(exact, List.of());
    }
    return new Info(null, anyOf == null ? List.of() : List.of(anyOf));
  }

  private Info concatenation() {
    List<Set<String>> required = new ArrayList<>();
    Set<String> run = Set.of("");
    boolean whole = true;
    while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
      Info part = quantified(atom());
      required.addAll(part.required);
      if (part.exact != null && run != null && run.size() * part.exact.size() <= MAX_SET) {
        run = product(run, part.exact);
      } else {
        if (run != null && !run.contains("")) {
          required.add(run);
        }
        run = part.exact;
        whole = false;
        if (run == null) {
          run = Set.of("");
        }
      }
    }
    if (whole) {
      return new Info(run, required);
    }
    if (!run.contains("")) {
      required.add(run);
    }
    return new Info(null, required);
  }

  private static Set<String> product(Set<String> left, Set<String> right) {
    Set<String> out = new LinkedHashSet<>();
    for (String a : left) {
      for (String b : right) {
        out.add(a + b);
      }
    }
    return out;
  }

  private Info quantified(Info atom) {
    if (pos >= re.length()) {
      return atom;
    }
    char c = re.charAt(pos);
    int min;
    boolean once = false;
    if (c == '?' || c == '*') {
      pos++;
      min = 0;
    } else if (c == '+') {
      pos++;
      min = 1;
    } else if (c == '{') {
      int close = re.indexOf('}', pos);
      if (close < 0) {
        throw new Unsupported();
      }
      String[] bounds = re.substring(pos + 1, close).split(",", -1);
      try {
        min = Integer.parseInt(bounds[0]);
        once = bounds.length == 1 && min == 1;
      } catch (NumberFormatException e) {
        throw new Unsupported();
      }
      pos = close + 1;
    } else {
      return atom;
    }
    if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) {
      pos++;
    }
    if (min == 0) {
      return Info.ANY;
    }
    if (once) {
      return atom;
    }
    Set<String> best = atom.best();
    return new Info(null, best == null ? atom.required : List.of(best));
  }

  private Info atom() {
    char c = re.charAt(pos);
    switch (c) {
      case '(':
        return group();
      case '[':
        return characterClass();
      case '.':
        pos++;
        return Info.ANY;
      case '^':
      case '$':
        pos++;
        return Info.EMPTY;
      case '\\':
        return escape();
      case '*':
      case '+':
      case '?':
      case '{':
        throw new Unsupported();
      default:
        pos++;
        return literal(c);
    }
  }

  private static Info literal(char c) {
    if (c >= 128) {
      return Info.ANY;
    }
    return new Info(Set.of(String.valueOf(Character.toLowerCase(c))), List.of());
  }

  private Info group() {
    pos++;
    boolean zeroWidth = false;
    if (re.startsWith("?", pos)) {
      if (re.startsWith("?:", pos) || re.startsWith("?>", pos)) {
        pos += 2;
      } else if (re.startsWith("?=", pos) || re.startsWith("?!", pos)) {
        pos += 2;
        zeroWidth = true;
      } else if (re.startsWith("?<=", pos) || re.startsWith("?<!", pos)) {
        pos += 3;
        zeroWidth = true;
      } else if (re.startsWith("?<", pos)) {
        int close = re.indexOf('>', pos);
        if (close < 0) {
          throw new Unsupported();
        }
        pos = close + 1;
      } else {
        // Flags: i changes case, which lower-cased literals ignore (ASCII only: u, which folds
        // the case of other letters, is not read); m and s change what ^, $ and . match.
        int at = pos + 1;
        while (at < re.length() && "ims-".indexOf(re.charAt(at)) >= 0) {
          at++;
        }
        if (at >= re.length() || (re.charAt(at) != ')' && re.charAt(at) != ':')) {
          throw new Unsupported();
        }
        pos = at + 1;
        if (re.charAt(at) == ')') {
          return Info.EMPTY;
        }
      }
    }
    Info inside = alternation();
    if (pos >= re.length() || re.charAt(pos) != ')') {
      throw new Unsupported();
    }
    pos++;
    return zeroWidth ? Info.EMPTY : inside;
  }

  /** A class of at most a few plain characters is an exact set; any other class is ANY. */
  private Info characterClass() {
    pos++;
    Set<String> chars = new LinkedHashSet<>();
    boolean plain = true;
    if (pos < re.length() && re.charAt(pos) == '^') {
      plain = false;
      pos++;
    }
    if (pos < re.length() && re.charAt(pos) == ']') {
      // Java reads a ']' right after the opening bracket as a member, not as the end.
      chars.add("]");
      pos++;
    }
    int depth = 0;
    while (true) {
      if (pos >= re.length()) {
        throw new Unsupported();
      }
      char c = re.charAt(pos++);
      if (c == '\\') {
        if (pos >= re.length()) {
          throw new Unsupported();
        }
        char escaped = re.charAt(pos++);
        Character literal = escapedLiteral(escaped);
        if (literal == null) {
          literal = codePoint(escaped);
        }
        if (literal == null) {
          plain = false;
          if (escaped == 'p' || escaped == 'P') {
            skipBraces();
          } else if (escaped == 'Q' || escaped == 'N' || escaped == 'c') {
            throw new Unsupported();
          }
        } else if (literal >= 128) {
          plain = false;
        } else {
          chars.add(String.valueOf(Character.toLowerCase(literal)));
        }
      } else if (c == '[') {
        depth++;
        plain = false;
      } else if (c == ']') {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (c == '-' || c == '&' || c >= 128) {
        plain = false;
      } else {
        chars.add(String.valueOf(Character.toLowerCase(c)));
      }
    }
    return plain && !chars.isEmpty() && chars.size() <= 6 ? new Info(chars, List.of()) : Info.ANY;
  }

  private void skipBraces() {
    if (pos < re.length() && re.charAt(pos) == '{') {
      int close = re.indexOf('}', pos);
      if (close < 0) {
        throw new Unsupported();
      }
      pos = close + 1;
    } else {
      pos++;
    }
  }

  private Info escape() {
    pos++;
    if (pos >= re.length()) {
      throw new Unsupported();
    }
    char c = re.charAt(pos++);
    switch (c) {
      case 'b':
        if (pos < re.length() && re.charAt(pos) == '{') {
          throw new Unsupported();
        }
        return Info.EMPTY;
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
      case 'G':
        return Info.EMPTY;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'h':
      case 'H':
      case 'v':
      case 'V':
      case 'R':
      case 'X':
        return Info.ANY;
      case 'p':
      case 'P':
        skipBraces();
        return Info.ANY;
      default:
        Character literal = escapedLiteral(c);
        if (literal == null) {
          literal = codePoint(c);
        }
        if (literal == null) {
          throw new Unsupported();
        }
        return literal(literal);
    }
  }

  /**
   * The character of a hexadecimal ({@code x} with two digits or braces, {@code u} with four) or
   * octal ({@code 0}) escape whose letter was just read, or null when {@code kind} starts none of
   * them.
   */
  private Character codePoint(char kind) {
    int radix;
    int from = pos;
    int to;
    if (kind == 'x' && re.startsWith("{", pos)) {
      from = pos + 1;
      to = re.indexOf('}', from);
      pos = to + 1;
      radix = 16;
    } else if (kind == 'x' || kind == 'u') {
      to = pos + (kind == 'x' ? 2 : 4);
      pos = to;
      radix = 16;
    } else if (kind == '0') {
      to = pos;
      while (to < re.length() && to - from < 3 && re.charAt(to) >= '0' && re.charAt(to) <= '7') {
        to++;
      }
      pos = to;
      radix = 8;
    } else {
      return null;
    }
    if (from < 0 || to <= from || to > re.length()) {
      throw new Unsupported();
    }
    try {
      int code = Integer.parseInt(re.substring(from, to), radix);
      // Outside the basic plane the parser would need surrogate pairs; such a character is no
      // ASCII literal anyway.
      return code < Character.MIN_SUPPLEMENTARY_CODE_POINT ? (char) code : (char) 0xFFFF;
    } catch (NumberFormatException e) {
      throw new Unsupported();
    }
  }

  /** The character an escape inside or outside a class stands for, if it is a plain one. */
  private static Character escapedLiteral(char c) {
    return switch (c) {
      case 'n' -> '\n';
      case 't' -> '\t';
      case 'r' -> '\r';
      case 'f' -> '\f';
      default -> Character.isLetterOrDigit(c) || c >= 128 ? null : c;
    };
  }
}
