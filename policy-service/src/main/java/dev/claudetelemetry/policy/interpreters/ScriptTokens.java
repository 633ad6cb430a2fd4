package dev.claudetelemetry.policy.interpreters;

import dev.claudetelemetry.policy.interpreters.Effect.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads inline Perl, Ruby and PHP with a tokenizer rather than a grammar: it knows their string
 * literals (quotes, {@code q()}/{@code qq{}}, {@code %q()}, interpolation), comments, command
 * strings (backticks, {@code qx{}}, {@code %x()}) and call shapes ({@code name(args)}, {@code name
 * args;}, {@code Mod::name}, {@code Obj.name}, {@code ->name}). Arguments are literal when they are
 * strings without interpolation joined by {@code .} (Perl, PHP) or {@code +} (Ruby); {@code
 * glob("…")} and {@code <…>} give their pattern, {@code $ENV{HOME}}, {@code ENV['HOME']}, {@code
 * Dir.home} and {@code getenv('HOME')} the home directory. Not recognised: here-documents, {@code
 * eval} of strings, variables (a call on a variable is opaque when it deletes, writes or runs).
 */
final class ScriptTokens {

  private enum Type {
    WORD,
    STRING,
    COMMAND,
    PUNCT
  }

  /** A token; {@code value} is the literal value of a string, {@code null} if interpolated. */
  private record Token(Type type, String text, String value) {}

  /** What a recognised call does with its arguments. */
  private enum Action {
    DELETE,
    DELETE_TREE,
    REMOVE_DIRECTORY,
    WRITE,
    READ,
    RUN,
    OPEN,
    COPY,
    MOVE
  }

  private static final Map<String, Action> PERL =
      Map.ofEntries(
          Map.entry("unlink", Action.DELETE),
          Map.entry("rmdir", Action.REMOVE_DIRECTORY),
          Map.entry("rmtree", Action.DELETE_TREE),
          Map.entry("remove_tree", Action.DELETE_TREE),
          Map.entry("File::Path::rmtree", Action.DELETE_TREE),
          Map.entry("File::Path::remove_tree", Action.DELETE_TREE),
          Map.entry("system", Action.RUN),
          Map.entry("exec", Action.RUN),
          Map.entry("open", Action.OPEN),
          Map.entry("copy", Action.COPY),
          Map.entry("move", Action.MOVE),
          Map.entry("rename", Action.MOVE));
  private static final Map<String, Action> RUBY =
      Map.ofEntries(
          Map.entry("FileUtils.rm_rf", Action.DELETE_TREE),
          Map.entry("FileUtils.rm_r", Action.DELETE_TREE),
          Map.entry("FileUtils.remove_dir", Action.DELETE_TREE),
          Map.entry("FileUtils.remove_entry", Action.DELETE_TREE),
          Map.entry("FileUtils.remove_entry_secure", Action.DELETE_TREE),
          Map.entry("FileUtils.rmtree", Action.DELETE_TREE),
          Map.entry("FileUtils.rm", Action.DELETE),
          Map.entry("FileUtils.rm_f", Action.DELETE),
          Map.entry("FileUtils.remove", Action.DELETE),
          Map.entry("File.delete", Action.DELETE),
          Map.entry("File.unlink", Action.DELETE),
          Map.entry("FileUtils.rmdir", Action.REMOVE_DIRECTORY),
          Map.entry("Dir.rmdir", Action.REMOVE_DIRECTORY),
          Map.entry("Dir.delete", Action.REMOVE_DIRECTORY),
          Map.entry("Dir.unlink", Action.REMOVE_DIRECTORY),
          Map.entry("File.write", Action.WRITE),
          Map.entry("IO.write", Action.WRITE),
          Map.entry("File.binwrite", Action.WRITE),
          Map.entry("FileUtils.touch", Action.WRITE),
          Map.entry("File.read", Action.READ),
          Map.entry("IO.read", Action.READ),
          Map.entry("File.readlines", Action.READ),
          Map.entry("IO.readlines", Action.READ),
          Map.entry("File.binread", Action.READ),
          Map.entry("File.foreach", Action.READ),
          Map.entry("IO.foreach", Action.READ),
          Map.entry("File.open", Action.OPEN),
          Map.entry("FileUtils.cp", Action.COPY),
          Map.entry("FileUtils.cp_r", Action.COPY),
          Map.entry("FileUtils.mv", Action.MOVE),
          Map.entry("File.rename", Action.MOVE),
          Map.entry("system", Action.RUN),
          Map.entry("exec", Action.RUN),
          Map.entry("spawn", Action.RUN),
          Map.entry("Kernel.system", Action.RUN),
          Map.entry("Kernel.exec", Action.RUN),
          Map.entry("Process.spawn", Action.RUN),
          Map.entry("IO.popen", Action.RUN),
          Map.entry("Open3.capture2", Action.RUN),
          Map.entry("Open3.capture2e", Action.RUN),
          Map.entry("Open3.capture3", Action.RUN),
          Map.entry("Open3.popen3", Action.RUN));
  private static final Map<String, Action> PHP =
      Map.ofEntries(
          Map.entry("unlink", Action.DELETE),
          Map.entry("rmdir", Action.REMOVE_DIRECTORY),
          Map.entry("system", Action.RUN),
          Map.entry("exec", Action.RUN),
          Map.entry("shell_exec", Action.RUN),
          Map.entry("passthru", Action.RUN),
          Map.entry("popen", Action.RUN),
          Map.entry("proc_open", Action.RUN),
          Map.entry("pcntl_exec", Action.RUN),
          Map.entry("file_put_contents", Action.WRITE),
          Map.entry("touch", Action.WRITE),
          Map.entry("file_get_contents", Action.READ),
          Map.entry("readfile", Action.READ),
          Map.entry("file", Action.READ),
          Map.entry("parse_ini_file", Action.READ),
          Map.entry("fopen", Action.OPEN),
          Map.entry("copy", Action.COPY),
          Map.entry("rename", Action.MOVE));

  private final Language language;
  private final List<Token> tokens;
  private final List<Effect> effects;

  private ScriptTokens(Language language, List<Token> tokens, List<Effect> effects) {
    this.language = language;
    this.tokens = tokens;
    this.effects = effects;
  }

  static void analyze(Language language, String code, List<Effect> into) {
    new ScriptTokens(language, tokenize(language, code), into).scan();
  }

  private void scan() {
    Map<String, Action> table =
        switch (language) {
          case PERL -> PERL;
          case RUBY -> RUBY;
          default -> PHP;
        };
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.type() == Type.COMMAND) {
        if (token.value() == null) {
          effects.add(Effect.opaque("a command string built at run time"));
        } else {
          effects.add(Effect.shell(token.value()));
        }
        continue;
      }
      if (token.type() != Type.WORD) {
        continue;
      }
      String name = token.text();
      if (name.startsWith("->")) {
        continue;
      }
      if (language == Language.PHP && name.startsWith("\\")) {
        name = name.substring(1);
      }
      Action action =
          table.get(language == Language.PHP ? name.toLowerCase(java.util.Locale.ROOT) : name);
      if (action == null) {
        continue;
      }
      List<List<Token>> args = new ArrayList<>();
      int end = arguments(i + 1, args);
      if (end == i + 1 && args.isEmpty()) {
        continue;
      }
      apply(name, action, args);
    }
  }

  /**
   * Collects the arguments of a call at {@code from}: inside parentheses, or (Perl and Ruby) up to
   * the end of the statement. Returns the index after them.
   */
  private int arguments(int from, List<List<Token>> into) {
    int i = from;
    boolean parenthesised = i < tokens.size() && tokens.get(i).text().equals("(");
    if (!parenthesised && language == Language.PHP) {
      return from;
    }
    if (parenthesised) {
      i++;
    }
    int depth = 0;
    List<Token> current = new ArrayList<>();
    for (; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      String text = token.text();
      if (token.type() == Type.PUNCT) {
        if (text.equals("(") || text.equals("[") || text.equals("{")) {
          depth++;
        } else if (text.equals(")") || text.equals("]") || text.equals("}")) {
          if (depth == 0) {
            if (parenthesised && text.equals(")")) {
              i++;
            }
            break;
          }
          depth--;
        } else if (depth == 0 && text.equals(",")) {
          into.add(current);
          current = new ArrayList<>();
          continue;
        } else if (depth == 0 && !parenthesised && (text.equals(";") || text.equals("\n"))) {
          break;
        }
      } else if (!parenthesised
          && depth == 0
          && token.type() == Type.WORD
          && (text.equals("if")
              || text.equals("unless")
              || text.equals("or")
              || text.equals("and")
              || text.equals("do"))) {
        break;
      }
      current.add(token);
    }
    if (!current.isEmpty()) {
      into.add(current);
    }
    return i;
  }

  private void apply(String name, Action action, List<List<Token>> args) {
    switch (action) {
      case DELETE -> eachPath(name, Kind.DELETE, args, 0);
      case DELETE_TREE -> eachPath(name, Kind.DELETE_TREE, args, 0);
      case REMOVE_DIRECTORY -> eachPath(name, Kind.REMOVE_DIRECTORY, args, 0);
      case WRITE -> path(name, Kind.WRITE, args, 0);
      case READ -> path(name, Kind.READ, args, 0);
      case COPY -> {
        path(name, Kind.READ, args, 0);
        path(name, Kind.WRITE, args, 1);
      }
      case MOVE -> {
        path(name, Kind.DELETE, args, 0);
        path(name, Kind.WRITE, args, 1);
      }
      case OPEN -> open(name, args);
      case RUN -> run(name, args);
    }
  }

  /** Perl's {@code unlink LIST} and Ruby's {@code rm_rf [a, b]} take several paths. */
  private void eachPath(String name, Kind kind, List<List<Token>> args, int from) {
    for (int i = from; i < args.size(); i++) {
      List<Token> arg = args.get(i);
      if (language == Language.RUBY && (arg.isEmpty() || isOptionHash(arg))) {
        continue;
      }
      for (List<Token> item : items(arg)) {
        String value = literal(item);
        if (value == null) {
          opaque(name, "path");
        } else {
          effects.add(Effect.onPath(kind, value));
        }
      }
    }
  }

  /** The items of an array literal ({@code ['/a', '/b']}), or the argument itself. */
  private static List<List<Token>> items(List<Token> arg) {
    if (arg.size() < 2 || !arg.get(0).text().equals("[")) {
      return List.of(arg);
    }
    int end = arg.get(arg.size() - 1).text().equals("]") ? arg.size() - 1 : arg.size();
    List<List<Token>> items = new ArrayList<>();
    List<Token> current = new ArrayList<>();
    for (Token token : arg.subList(1, end)) {
      if (token.text().equals(",")) {
        items.add(current);
        current = new ArrayList<>();
      } else {
        current.add(token);
      }
    }
    if (!current.isEmpty()) {
      items.add(current);
    }
    return items;
  }

  /** Ruby keyword options ({@code secure: true}, {@code :verbose => true}). */
  private static boolean isOptionHash(List<Token> arg) {
    return arg.size() >= 2
        && arg.get(0).type() == Type.WORD
        && (arg.get(0).text().startsWith(":") || arg.get(1).text().startsWith(":"));
  }

  private void path(String name, Kind kind, List<List<Token>> args, int index) {
    if (index >= args.size()) {
      return;
    }
    String value = literal(args.get(index));
    if (value == null) {
      opaque(name, "path");
    } else {
      effects.add(Effect.onPath(kind, value));
    }
  }

  /**
   * Perl {@code open(FH, '>', 'f')} / {@code open(FH, '>f')}; Ruby and PHP {@code open('f', 'w')}.
   */
  private void open(String name, List<List<Token>> args) {
    String path;
    String mode;
    if (language == Language.PERL) {
      if (args.size() >= 3) {
        mode = literal(args.get(1));
        path = literal(args.get(2));
        if (mode != null && mode.contains("|")) {
          run(name, args.subList(2, args.size()));
          return;
        }
      } else if (args.size() == 2) {
        String both = literal(args.get(1));
        if (both == null) {
          opaque(name, "path");
          return;
        }
        String trimmed = both.strip();
        int split = 0;
        while (split < trimmed.length() && "<>+|".indexOf(trimmed.charAt(split)) >= 0) {
          split++;
        }
        mode = trimmed.substring(0, split);
        path = trimmed.substring(split).strip();
        if (mode.contains("|") || path.endsWith("|")) {
          effects.add(Effect.shell(path.replaceAll("\\|$", "")));
          return;
        }
      } else {
        return;
      }
    } else {
      if (args.isEmpty()) {
        return;
      }
      path = literal(args.get(0));
      mode = args.size() > 1 ? literal(args.get(1)) : "r";
    }
    if (path == null) {
      opaque(name, "path");
      return;
    }
    boolean writes = mode == null || mode.matches(".*[>wax+].*");
    boolean reads = mode == null || !mode.matches("(>|>>|[wax]b?)");
    if (reads) {
      effects.add(Effect.onPath(Kind.READ, path));
    }
    if (writes) {
      effects.add(Effect.onPath(Kind.WRITE, path));
    }
  }

  /** One string is a command line for a shell; several are an argv. */
  private void run(String name, List<List<Token>> args) {
    List<String> words = new ArrayList<>();
    for (List<Token> arg : args) {
      if (language == Language.RUBY && isOptionHash(arg)) {
        continue;
      }
      List<Token> inner = arg;
      if (inner.size() >= 2 && inner.get(0).text().equals("[")) {
        for (List<Token> item : items(inner)) {
          String value = literal(item);
          if (value == null) {
            opaque(name, "command");
            return;
          }
          words.add(value);
        }
        continue;
      }
      String value = literal(inner);
      if (value == null) {
        if (language == Language.PHP && !words.isEmpty()) {
          break;
        }
        opaque(name, "command");
        return;
      }
      words.add(value);
      if (language == Language.PHP) {
        break;
      }
    }
    if (words.size() == 1) {
      effects.add(Effect.shell(words.get(0)));
    } else if (!words.isEmpty()) {
      effects.add(Effect.exec(words));
    }
  }

  private void opaque(String name, String what) {
    effects.add(Effect.opaque(name + " gets a " + what + " computed at run time"));
  }

  /**
   * The value of one argument when it is literal: strings joined by the concatenation operator,
   * {@code glob(…)}, {@code <…>}, {@code File.expand_path(…)}, the home directory.
   */
  private String literal(List<Token> arg) {
    if (arg.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    boolean expectValue = true;
    for (int i = 0; i < arg.size(); i++) {
      Token token = arg.get(i);
      String text = token.text();
      if (!expectValue) {
        boolean concat = language == Language.RUBY ? text.equals("+") : text.equals(".");
        if (!concat) {
          return null;
        }
        expectValue = true;
        continue;
      }
      if (token.type() == Type.STRING) {
        if (token.value() == null) {
          return null;
        }
        out.append(token.value());
      } else if (isHome(arg, i)) {
        out.append('~');
        i = skipHome(arg, i);
      } else if (token.type() == Type.WORD
          && (text.equals("glob")
              || text.equals("File.expand_path")
              || text.equals("Dir.glob")
              || text.equals("realpath")
              || text.equals("expand_path"))) {
        int close = i + 1;
        boolean parens = close < arg.size() && arg.get(close).text().equals("(");
        if (parens) {
          close++;
        }
        if (close >= arg.size()
            || arg.get(close).type() != Type.STRING
            || arg.get(close).value() == null) {
          return null;
        }
        out.append(arg.get(close).value());
        i =
            parens && close + 1 < arg.size() && arg.get(close + 1).text().equals(")")
                ? close + 1
                : close;
      } else if (token.type() == Type.PUNCT && text.equals("(")) {
        int close = matching(arg, i);
        if (close < 0) {
          return null;
        }
        String inner = literal(arg.subList(i + 1, close));
        if (inner == null) {
          return null;
        }
        out.append(inner);
        i = close;
      } else {
        return null;
      }
      expectValue = false;
    }
    return expectValue ? null : out.toString();
  }

  private static int matching(List<Token> arg, int open) {
    int depth = 0;
    for (int i = open; i < arg.size(); i++) {
      String text = arg.get(i).text();
      if (text.equals("(")) {
        depth++;
      } else if (text.equals(")") && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isHome(List<Token> arg, int i) {
    String text = arg.get(i).text();
    if (text.equals("Dir.home") || text.equals("$HOME")) {
      return true;
    }
    if ((text.equals("$ENV")
            || text.equals("ENV")
            || text.equals("$_ENV")
            || text.equals("$_SERVER")
            || text.equals("getenv"))
        && i + 2 < arg.size()) {
      Token key = arg.get(i + 2);
      return key.type() == Type.STRING && "HOME".equals(key.value())
          || key.type() == Type.WORD && key.text().equals("HOME");
    }
    return false;
  }

  private static int skipHome(List<Token> arg, int i) {
    String text = arg.get(i).text();
    if (text.equals("Dir.home") || text.equals("$HOME")) {
      return i + (i + 2 < arg.size() && arg.get(i + 1).text().equals("(") ? 2 : 0);
    }
    return Math.min(arg.size() - 1, i + 3);
  }

  // ---- tokenizer ----

  private static List<Token> tokenize(Language language, String code) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = code.length();
    while (i < n) {
      char c = code.charAt(i);
      if (c == '\n') {
        out.add(new Token(Type.PUNCT, ";", null));
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#' && !(language == Language.PERL && i > 0 && code.charAt(i - 1) == '$')) {
        i = lineEnd(code, i);
      } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '/' && language == Language.PHP) {
        i = lineEnd(code, i);
      } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '*' && language == Language.PHP) {
        int end = code.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '<' && code.startsWith("<?php", i)) {
        i += 5;
      } else if (c == '\'' || c == '"') {
        int end = closing(code, i + 1, c);
        String body = code.substring(i + 1, Math.min(end, n));
        out.add(
            new Token(
                Type.STRING,
                code.substring(i, Math.min(end + 1, n)),
                stringValue(language, body, c)));
        i = end + 1;
      } else if (c == '`') {
        int end = closing(code, i + 1, '`');
        String body = code.substring(i + 1, Math.min(end, n));
        out.add(new Token(Type.COMMAND, body, interpolates(language, body, '"') ? null : body));
        i = end + 1;
      } else if (quoteOperator(language, code, i) > 0) {
        int opLength = quoteOperator(language, code, i);
        String op = code.substring(i, i + opLength);
        int open = i + opLength;
        while (open < n && Character.isWhitespace(code.charAt(open))) {
          open++;
        }
        if (open >= n) {
          break;
        }
        char opening = code.charAt(open);
        char closing = closingOf(opening);
        int end = delimited(code, open + 1, opening, closing);
        String body = code.substring(open + 1, Math.min(end, n));
        boolean interpolated =
            !(op.equals("q") || op.equals("%q") || op.equals("%w") || op.equals("qw"));
        String value = interpolated && interpolates(language, body, '"') ? null : body;
        if (op.equals("qx") || op.equals("%x")) {
          out.add(new Token(Type.COMMAND, body, value));
        } else if (op.equals("qw") || op.equals("%w")) {
          out.add(new Token(Type.PUNCT, "[", null));
          boolean first = true;
          for (String word : body.trim().split("\\s+")) {
            if (word.isEmpty()) {
              continue;
            }
            if (!first) {
              out.add(new Token(Type.PUNCT, ",", null));
            }
            out.add(new Token(Type.STRING, word, word));
            first = false;
          }
          out.add(new Token(Type.PUNCT, "]", null));
        } else {
          out.add(new Token(Type.STRING, body, value));
        }
        i = end + 1;
      } else if (c == '<'
          && language == Language.PERL
          && i + 1 < n
          && code.charAt(i + 1) != '<'
          && code.indexOf('>', i) > i + 1
          && code.indexOf('>', i) - i < 200
          && code.substring(i + 1, code.indexOf('>', i)).matches("[^\\s;(){}]+")) {
        int end = code.indexOf('>', i);
        String pattern = code.substring(i + 1, end);
        out.add(new Token(Type.WORD, "glob", null));
        out.add(new Token(Type.STRING, pattern, pattern.contains("$") ? null : pattern));
        i = end + 1;
      } else if (isWordStart(c)) {
        int end = i + 1;
        while (end < n && (isWordPart(code.charAt(end)) || joins(language, code, end))) {
          end += code.startsWith("::", end) || code.startsWith("->", end) ? 2 : 1;
        }
        out.add(new Token(Type.WORD, code.substring(i, end), null));
        i = end;
      } else {
        out.add(new Token(Type.PUNCT, String.valueOf(c), null));
        i++;
      }
    }
    return out;
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_' || c == '$' || c == '@' || c == '\\' || c == ':';
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /**
   * {@code ::} in every language, {@code .} between Ruby names (constants and methods), {@code ->}.
   */
  private static boolean joins(Language language, String code, int i) {
    if (code.startsWith("::", i) || (code.startsWith("->", i) && language != Language.RUBY)) {
      return i + 2 < code.length() && isWordPart(code.charAt(i + 2));
    }
    return language == Language.RUBY
        && code.charAt(i) == '.'
        && i + 1 < code.length()
        && Character.isLetter(code.charAt(i + 1));
  }

  private static int quoteOperator(Language language, String code, int i) {
    if (i > 0 && (isWordPart(code.charAt(i - 1)) || code.charAt(i - 1) == '$')) {
      return 0;
    }
    String[] operators =
        switch (language) {
          case PERL -> new String[] {"qq", "qx", "qw", "q"};
          case RUBY -> new String[] {"%q", "%Q", "%x", "%w"};
          default -> new String[0];
        };
    for (String op : operators) {
      int after = i + op.length();
      if (code.startsWith(op, i)
          && after < code.length()
          && "({[</|!#".indexOf(code.charAt(after)) >= 0) {
        return op.length();
      }
    }
    return 0;
  }

  private static char closingOf(char opening) {
    return switch (opening) {
      case '(' -> ')';
      case '{' -> '}';
      case '[' -> ']';
      case '<' -> '>';
      default -> opening;
    };
  }

  private static int delimited(String code, int from, char opening, char closing) {
    int depth = 0;
    for (int i = from; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == closing && depth == 0) {
        return i;
      } else if (c == closing) {
        depth--;
      } else if (c == opening && opening != closing) {
        depth++;
      }
    }
    return code.length();
  }

  private static int closing(String code, int from, char quote) {
    for (int i = from; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    return code.length();
  }

  private static int lineEnd(String code, int from) {
    int end = code.indexOf('\n', from);
    return end < 0 ? code.length() : end;
  }

  private static boolean interpolates(Language language, String body, char quote) {
    if (quote == '\'') {
      return false;
    }
    return switch (language) {
      case RUBY -> body.contains("#{");
      default -> body.matches("(?s).*(?<!\\\\)[$@][A-Za-z_{].*");
    };
  }

  private static String stringValue(Language language, String body, char quote) {
    if (interpolates(language, body, quote)) {
      return null;
    }
    if (quote == '\'') {
      return body.replace("\\'", "'").replace("\\\\", "\\");
    }
    return BackslashEscapes.unescape(body);
  }
}
