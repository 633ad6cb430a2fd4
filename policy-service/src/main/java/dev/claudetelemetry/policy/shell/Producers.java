package dev.claudetelemetry.policy.shell;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a command writes on its standard output, when the guard can know it without running
 * anything: {@code echo} and {@code printf} of literal words, {@code cat} of a here-document or of
 * a file written earlier in the same command line, {@code base64 -d} and {@code xxd -r -p} of such
 * text, and filters that pass a subset of their input on. {@code find} and {@code ls} print names
 * the guard cannot know, but it knows where they are: their output is written as the worst
 * plausible names ({@code START/{}} for anything below a start path, {@code DIR/*} for every
 * entry). Anything else is output the guard cannot know.
 */
final class Producers {

  /** Output is bounded: a decoded script longer than this is not worth parsing. */
  private static final int MAX_TEXT = 64 * 1024;

  private static final Set<String> FILTERS =
      Set.of("grep", "egrep", "fgrep", "sort", "uniq", "head", "tail", "tac", "shuf", "tee", "cat");

  /** A grep pattern that means the same as a regular expression and as a fixed string. */
  private static final java.util.regex.Pattern PLAIN =
      java.util.regex.Pattern.compile("[A-Za-z0-9_/-]+");

  private Producers() {}

  /**
   * What {@code grep PATTERN} prints of known lines: literal lines that contain it; a line standing
   * for names the guard does not know ({@code DIR/*} from {@code ls}) becomes the names that
   * contain it ({@code DIR/*PATTERN*}); a line standing for anything below a path ({@code START/{}}
   * from {@code find}) stays, since the pattern may be in a part of the path it does not show.
   */
  static String grepLines(String text, String pattern, boolean ignoreCase) {
    String needle = ignoreCase ? pattern.toLowerCase(java.util.Locale.ROOT) : pattern;
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      String haystack = ignoreCase ? line.toLowerCase(java.util.Locale.ROOT) : line;
      String kept;
      if (haystack.contains(needle) || line.contains("{}")) {
        kept = line;
      } else if (line.endsWith("*")) {
        kept = line + pattern + "*";
      } else if (line.indexOf('*') >= 0 || line.indexOf('?') >= 0 || line.indexOf('[') >= 0) {
        kept = line;
      } else {
        continue;
      }
      out.append(kept).append('\n');
    }
    return out.toString();
  }

  /**
   * @param argv the command, after unwrapping
   * @param stdin what it reads
   * @param files scripts written earlier in the same command line, by normalised path
   * @param cwd the directory it runs in
   */
  static Feed output(List<String> argv, Feed stdin, Map<String, String> files, String cwd) {
    if (argv.isEmpty()) {
      return Feed.NONE;
    }
    String name = ShellCommand.baseName(argv.get(0));
    List<String> args = argv.subList(1, argv.size());
    for (String arg : args) {
      if (UnknownValues.isUnknown(arg)) {
        return Feed.unknown(name + " " + arg);
      }
    }
    Feed out =
        switch (name) {
          case "echo" -> echo(args);
          case "printf" -> printf(args);
          case "base64" -> base64(args, stdin);
          case "xxd" -> xxd(args, stdin);
          case "rev" -> rev(args, stdin);
          case "find" -> find(args);
          case "ls" -> ls(args);
          case "true", ":" -> Feed.NONE;
          default -> FILTERS.contains(name) ? filter(name, args, stdin, files, cwd) : null;
        };
    if (out == null) {
      return Feed.unknown(name);
    }
    return out.known() && out.text().length() > MAX_TEXT ? Feed.unknown(name) : out;
  }

  private static Feed echo(List<String> args) {
    boolean newline = true;
    boolean escapes = false;
    int i = 0;
    while (i < args.size() && args.get(i).matches("-[neE]+")) {
      String option = args.get(i);
      newline &= option.indexOf('n') < 0;
      if (option.indexOf('e') >= 0) {
        escapes = true;
      }
      if (option.indexOf('E') >= 0) {
        escapes = false;
      }
      i++;
    }
    String text = String.join(" ", args.subList(i, args.size()));
    if (escapes) {
      text = Words.unescapeAnsiC(text);
    }
    return Feed.literal(newline ? text + "\n" : text);
  }

  static Feed printf(List<String> args) {
    int i = 0;
    if (i < args.size() && args.get(i).equals("--")) {
      i++;
    }
    if (i < args.size() && args.get(i).equals("-v")) {
      return Feed.NONE;
    }
    if (i >= args.size()) {
      return Feed.literal("");
    }
    String format = args.get(i);
    List<String> values = args.subList(i + 1, args.size());
    StringBuilder out = new StringBuilder();
    int next = 0;
    do {
      int before = next;
      next = formatOnce(format, values, next, out);
      if (next == before) {
        break;
      }
    } while (next < values.size() && out.length() < MAX_TEXT);
    return Feed.literal(out.toString());
  }

  /** Formats once; returns the index of the first argument not consumed. */
  private static int formatOnce(String format, List<String> values, int next, StringBuilder out) {
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c == '\\') {
        int end = escapeEnd(format, i);
        String escape = format.substring(i, end);
        // printf's \0NNN is octal NNN; $'...' reads at most three digits after the backslash.
        out.append(
            Words.unescapeAnsiC(
                escape.length() > 2 && escape.charAt(1) == '0'
                    ? "\\" + escape.substring(2)
                    : escape));
        i = end - 1;
      } else if (c == '%' && i + 1 < format.length()) {
        int j = i + 1;
        while (j < format.length() && "-+ #0123456789.*".indexOf(format.charAt(j)) >= 0) {
          j++;
        }
        if (j >= format.length()) {
          out.append(format, i, j);
          break;
        }
        char conversion = format.charAt(j);
        if (conversion == '%') {
          out.append('%');
        } else {
          String value = next < values.size() ? values.get(next++) : "";
          switch (conversion) {
            case 'b' -> out.append(Words.unescapeAnsiC(value));
            case 'c' -> out.append(value.isEmpty() ? "" : value.substring(0, 1));
            case 'd', 'i', 'u' -> out.append(value.isEmpty() ? "0" : value);
            default -> out.append(value);
          }
        }
        i = j;
      } else {
        out.append(c);
      }
    }
    return next;
  }

  /** Where a backslash escape starting at {@code i} ends (octal, hex or a single character). */
  private static int escapeEnd(String text, int i) {
    int j = i + 1;
    if (j >= text.length()) {
      return j;
    }
    char e = text.charAt(j);
    if (e == 'x') {
      int k = j + 1;
      while (k < text.length() && k < j + 3 && Character.digit(text.charAt(k), 16) >= 0) {
        k++;
      }
      return k;
    }
    if (e >= '0' && e <= '7') {
      int k = j;
      int max = e == '0' ? j + 4 : j + 3;
      while (k < text.length() && k < max && text.charAt(k) >= '0' && text.charAt(k) <= '7') {
        k++;
      }
      return k;
    }
    return j + 1;
  }

  private static boolean decodes(List<String> args) {
    for (String arg : args) {
      if (arg.equals("--decode")
          || (arg.startsWith("-")
              && !arg.startsWith("--")
              && arg.matches("-[a-zA-Z]*[dD][a-zA-Z]*"))) {
        return true;
      }
    }
    return false;
  }

  private static Feed base64(List<String> args, Feed stdin) {
    if (!decodes(args)) {
      return null;
    }
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return null;
      }
    }
    if (!stdin.known()) {
      return null;
    }
    String compact = stdin.text().replaceAll("[\\s]", "");
    try {
      byte[] bytes =
          compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0
              ? Base64.getUrlDecoder().decode(compact)
              : Base64.getMimeDecoder().decode(compact);
      return Feed.literal(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Feed xxd(List<String> args, Feed stdin) {
    boolean reverse = false;
    boolean plain = false;
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return null;
      }
      reverse |= arg.equals("-r") || arg.equals("-revert") || arg.matches("-r?p?s?r");
      plain |=
          arg.equals("-p") || arg.equals("-ps") || arg.equals("-plain") || arg.matches("-r?p.*");
    }
    if (!reverse || !plain || !stdin.known()) {
      return null;
    }
    String hex = stdin.text().replaceAll("[^0-9a-fA-F]", "");
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return Feed.literal(new String(bytes, StandardCharsets.UTF_8));
  }

  private static Feed rev(List<String> args, Feed stdin) {
    if (!args.isEmpty() || !stdin.known()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String line : stdin.text().split("\n", -1)) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(new StringBuilder(line).reverse());
    }
    return Feed.literal(out.toString());
  }

  /**
   * Everything below each start path ({@code START/{}}), and the start path itself when no test
   * narrows what find prints; NUL-separated with {@code -print0}.
   */
  private static Feed find(List<String> args) {
    List<String> starts = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("-") || arg.equals("(") || arg.equals("!")) {
        break;
      }
      starts.add(arg);
    }
    List<String> argv = new ArrayList<>(args.size() + 1);
    argv.add("find");
    argv.addAll(args);
    boolean itself = Wrappers.findReachesEverything(argv, starts.size() + 1);
    if (starts.isEmpty()) {
      starts.add(".");
    }
    String separator = args.contains("-print0") ? "\0" : "\n";
    StringBuilder out = new StringBuilder();
    for (String start : starts) {
      if (itself) {
        out.append(start).append(separator);
      }
      out.append(start.endsWith("/") ? start : start + "/").append("{}").append(separator);
    }
    return Feed.literal(out.toString());
  }

  /** Every entry of each directory; {@code -a} also lists the directory itself and its parent. */
  private static Feed ls(List<String> args) {
    boolean hidden = false;
    boolean dots = false;
    List<String> dirs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("-")) {
        hidden |= arg.matches("-[a-zA-Z]*[aA][a-zA-Z]*") || arg.equals("--all");
        dots |= arg.matches("-[a-zA-Z]*a[a-zA-Z]*") || arg.equals("--all");
      } else {
        dirs.add(arg);
      }
    }
    if (dirs.isEmpty()) {
      dirs.add("");
    }
    StringBuilder out = new StringBuilder();
    for (String dir : dirs) {
      String prefix = dir.isEmpty() || dir.endsWith("/") ? dir : dir + "/";
      out.append(prefix).append("*\n");
      if (hidden) {
        out.append(prefix).append(".*\n");
      }
      if (dots) {
        out.append(prefix).append(".\n").append(prefix).append("..\n");
      }
    }
    return Feed.literal(out.toString());
  }

  /**
   * Filters print some of what they read: the worst plausible output is all of it. With file
   * operands they read files, which the guard knows only when written earlier in the line.
   */
  private static Feed filter(
      String name, List<String> args, Feed stdin, Map<String, String> files, String cwd) {
    List<String> operands = new ArrayList<>();
    boolean grep = name.endsWith("grep");
    boolean patternSeen = !grep;
    // The one plain pattern of a grep that keeps matching lines, or null when grep may print any
    // of its input (-v, -f, several patterns, a regular expression, options it does not know).
    String pattern = null;
    boolean narrows = grep;
    boolean ignoreCase = false;
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (options && arg.equals("--")) {
        options = false;
      } else if (options && arg.startsWith("-") && arg.length() > 1) {
        if (grep && arg.equals("-e") && i + 1 < args.size()) {
          narrows &= !patternSeen;
          patternSeen = true;
          pattern = args.get(++i);
        } else if (grep && arg.equals("-f")) {
          patternSeen = true;
          narrows = false;
          i++;
        } else if (grep && arg.matches("-[iFw]+|--ignore-case|--fixed-strings")) {
          ignoreCase |= arg.contains("i");
        } else {
          narrows = false;
          if ((name.equals("head") || name.equals("tail"))
              && (arg.equals("-n") || arg.equals("-c"))) {
            i++;
          }
        }
      } else if (!patternSeen) {
        patternSeen = true;
        pattern = arg;
      } else {
        operands.add(arg);
      }
    }
    if (operands.isEmpty() || operands.equals(List.of("-"))) {
      if (narrows && stdin.known() && pattern != null && PLAIN.matcher(pattern).matches()) {
        return Feed.literal(grepLines(stdin.text(), pattern, ignoreCase));
      }
      return stdin.none() ? Feed.NONE : stdin;
    }
    if (!name.equals("cat")) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String operand : operands) {
      String content =
          operand.equals("-") ? stdin.text() : files.get(ScriptFiles.key(operand, cwd));
      if (content == null) {
        return Feed.unknown("cat " + operand);
      }
      out.append(content);
    }
    return Feed.literal(out.toString());
  }
}
