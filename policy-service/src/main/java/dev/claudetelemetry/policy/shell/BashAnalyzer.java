package dev.claudetelemetry.policy.shell;

import dev.claudetelemetry.policy.interpreters.Effect;
import dev.claudetelemetry.policy.interpreters.InlineCode;
import dev.claudetelemetry.policy.interpreters.InterpreterCode;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;

/**
 * Finds every simple command a Bash command line would run, with its real argv: in lists,
 * pipelines, subshells, substitutions, here-documents, behind wrappers, and inside strings handed
 * to {@code bash -c} or {@code eval} (parsed again, up to a depth limit).
 *
 * <p>Thread-safe. Tree-sitter parsers are not, so each thread keeps its own (a parser is cheap to
 * keep and costs about as much to create as a parse, see bench/policy-service).
 */
public final class BashAnalyzer {

  static {
    // Before any tree-sitter class initialises: it must load tree-sitter-natives' optimised
    // libraries.
    TreeSitterNatives.directory();
  }

  /** Node types that cannot hold a command substitution. */
  private static final java.util.Set<String> LEAVES =
      java.util.Set.of(
          "word",
          "raw_string",
          "number",
          "ansi_c_string",
          "simple_expansion",
          "variable_name",
          "string_content",
          "file_descriptor",
          "heredoc_content",
          "heredoc_start",
          "heredoc_end",
          "special_variable_name",
          "regex");

  private static final java.util.regex.Pattern DESCRIPTOR =
      java.util.regex.Pattern.compile("\\d+|-");
  private static final ThreadLocal<TSParser> PARSERS =
      ThreadLocal.withInitial(
          () -> {
            TSParser parser = new TSParser();
            parser.setLanguage(Nodes.BASH);
            return parser;
          });

  private final int maxDepth;
  private final int maxLength;
  private final boolean parseWithTreeSitter;

  /**
   * @param maxDepth how many nested {@code bash -c} / {@code eval} strings are parsed again
   * @param maxLength the longest command line (in UTF-8 bytes) that is parsed at all
   */
  public BashAnalyzer(int maxDepth, int maxLength) {
    this(maxDepth, maxLength, false);
  }

  /**
   * @param parseWithTreeSitter also parse plain commands (tests compare both paths)
   */
  BashAnalyzer(int maxDepth, int maxLength, boolean parseWithTreeSitter) {
    this.maxDepth = maxDepth;
    this.maxLength = maxLength;
    this.parseWithTreeSitter = parseWithTreeSitter;
  }

  public ShellAnalysis analyze(String commandLine, String cwd) {
    return analyze(commandLine, cwd, Map.of());
  }

  /**
   * @param environment variables every command starts with (the values the platform pins); the
   *     command line may assign them anew
   */
  public ShellAnalysis analyze(String commandLine, String cwd, Map<String, String> environment) {
    Walk walk = new Walk();
    walk.environment = environment;
    walk.parse(commandLine, walk.startScope(cwd), 0, List.of(), Feed.NONE);
    walk.runUncalledFunctions(cwd);
    return new ShellAnalysis(walk.commands, walk.problem, walk.opaque);
  }

  /**
   * Lone UTF-16 surrogates (possible from JSON escapes) have no UTF-8 form; the parser refuses
   * them.
   */
  static String sanitize(String source) {
    StringBuilder out = null;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < source.length()
              && Character.isLowSurrogate(source.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(source.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (out == null) {
          out = new StringBuilder(source.length()).append(source, 0, i);
        }
        out.append('\uFFFD');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? source : out.toString();
  }

  /**
   * What the commands of one shell know about each other: the directory ({@code cd} changes it for
   * the commands after it), variables, functions and aliases defined earlier in the line, and
   * scripts it wrote. A subshell works on a copy.
   */
  private static final class Scope {
    String cwd;

    /** Assigned variables; a {@code null} value is one the guard cannot know. */
    Map<String, String> variables;

    Map<String, String> functions;
    Map<String, String> aliases;
    Map<String, String> files;

    Scope(String cwd) {
      this.cwd = cwd;
    }

    Scope copy() {
      Scope copy = new Scope(cwd);
      copy.variables = variables == null ? null : new HashMap<>(variables);
      copy.functions = functions == null ? null : new HashMap<>(functions);
      copy.aliases = aliases == null ? null : new HashMap<>(aliases);
      copy.files = files == null ? null : new HashMap<>(files);
      return copy;
    }

    String variable(String name) {
      if (name.equals("PWD") && cwd.startsWith("/")) {
        return cwd;
      }
      return variables == null ? null : variables.get(name);
    }

    void assign(String name, String value) {
      if (variables == null) {
        variables = new HashMap<>();
      }
      variables.put(name, value);
    }

    Map<String, String> files() {
      return files == null ? Map.of() : files;
    }

    void writeFile(String path, String content, boolean append) {
      if (files == null) {
        files = new HashMap<>();
      }
      String key = ScriptFiles.key(path, cwd);
      if (content == null) {
        files.remove(key);
      } else {
        String before = append ? files.getOrDefault(key, "") : "";
        files.put(key, before + content);
      }
    }
  }

  /**
   * Where a command's input and redirections come from, handed down the tree.
   *
   * @param stdin what the command reads on its standard input
   */
  private record Context(
      Scope scope, List<Redirect> redirects, List<String> upstream, int depth, Feed stdin) {

    Context withRedirects(List<Redirect> more) {
      List<Redirect> all = new ArrayList<>(redirects);
      all.addAll(more);
      return new Context(scope, all, upstream, depth, stdin);
    }

    Context withUpstream(List<String> names) {
      return new Context(scope, redirects, names, depth, stdin);
    }

    Context withStdin(Feed feed) {
      return new Context(scope, redirects, upstream, depth, feed);
    }

    Context isolated() {
      return new Context(scope.copy(), List.of(), List.of(), depth, Feed.NONE);
    }
  }

  /** What the commands of one region (a pipeline stage, a substitution) print, joined. */
  private static final class Output {
    final StringBuilder text = new StringBuilder();
    String unknownSource;

    void add(Feed feed) {
      if (feed.isUnknown()) {
        if (unknownSource == null) {
          unknownSource = feed.source();
        }
      } else if (feed.known() && text.length() < 64 * 1024) {
        text.append(feed.text());
      }
    }

    Feed feed() {
      return unknownSource != null ? Feed.unknown(unknownSource) : Feed.literal(text.toString());
    }
  }

  /** The redirections of one command or statement, and what they feed its standard input. */
  private static final class Redirections {
    final List<Redirect> list = new ArrayList<>();
    Feed stdin;
    boolean stdoutToFile;
  }

  private static final int MAX_LOOP_VALUES = 64;

  /**
   * Loop bodies, function calls and commands a line may expand to before the analysis stops: nested
   * loops and recursive functions multiply, and a decision must stay within microseconds.
   */
  private static final int MAX_WORK = 4096;

  /** Unquoted expansions the shell splits into words. */
  private static final Set<String> SPLIT_TYPES =
      Set.of("simple_expansion", "expansion", "command_substitution", "concatenation");

  private final class Walk {
    final List<ShellCommand> commands = new ArrayList<>();
    String problem;
    String opaque;
    Output output = new Output();
    final Map<String, String> definedFunctions = new LinkedHashMap<>();
    final Set<String> calledFunctions = new HashSet<>();
    final Set<List<String>> activeCalls = new HashSet<>();
    int work;
    Map<String, String> environment = Map.of();

    Scope startScope(String cwd) {
      Scope scope = new Scope(cwd);
      if (!environment.isEmpty()) {
        scope.variables = new HashMap<>(environment);
      }
      return scope;
    }

    /** Counts one unit of work; false (and the analysis incomplete) once the budget is spent. */
    boolean spend() {
      if (++work > MAX_WORK) {
        fail("the command expands to more than " + MAX_WORK + " commands, loop rounds or calls");
        return false;
      }
      return true;
    }

    void fail(String reason) {
      if (problem == null) {
        problem = reason;
      }
    }

    void opaque(String reason) {
      if (opaque == null) {
        opaque = reason;
      }
    }

    void parse(String raw, Scope scope, int depth, List<String> upstream, Feed stdin) {
      String source = sanitize(raw);
      if (source.indexOf('\0') >= 0) {
        // The parser reads C strings: anything after a NUL would be invisible to it.
        fail("the command contains a NUL character");
        source = source.replace('\0', ' ');
      }
      byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > maxLength) {
        fail("the command is longer than " + maxLength + " bytes");
        return;
      }
      Context context = new Context(scope, List.of(), upstream, depth, stdin);
      if (parseWithTreeSitter || !PlainCommand.isPlain(source)) {
        parseTree(source, bytes, context);
      } else {
        // Nothing the shell would interpret: its words are its argv, no parser needed.
        emit(PlainCommand.words(source), List.of(), List.of(), context, false);
      }
    }

    void parseTree(String source, byte[] bytes, Context context) {
      // tree-sitter-bash 0.23.3 recovers from an error state when the input ends right after a
      // pipeline of three or more stages (a | b | c: ~130 us instead of ~15 us, and more per
      // stage). A trailing newline, which the shell reads as the same command's terminator, avoids
      // that path and gives the same tree (checked over the whole corpus, see BashAnalyzerTest).
      boolean terminated = source.endsWith("\n");
      String parsed = terminated ? source : source + "\n";
      byte[] parsedBytes = terminated ? bytes : Arrays.copyOf(bytes, bytes.length + 1);
      parsedBytes[parsedBytes.length - 1] = '\n';
      TSTree tree = PARSERS.get().parseString(null, parsed);
      try {
        TSNode root = tree.getRootNode();
        if (root.hasError()) {
          fail(
              context.depth() == 0
                  ? "the command is not valid shell syntax"
                  : "a nested shell string is not valid shell syntax");
        }
        new NodeVisitor(parsedBytes, context.scope()).visit(root, context);
      } finally {
        tree.close();
      }
    }

    void emit(
        List<String> argv,
        List<Redirect> redirects,
        List<String> substitutions,
        Context context,
        boolean stdoutToFile) {
      if (!spend()) {
        return;
      }
      Scope scope = context.scope();
      if (!argv.isEmpty() && scope.aliases != null && scope.aliases.containsKey(argv.get(0))) {
        String alias = scope.aliases.get(argv.get(0));
        scope.aliases.remove(argv.get(0));
        try {
          StringBuilder expanded = new StringBuilder(alias);
          for (String arg : argv.subList(1, argv.size())) {
            expanded.append(' ').append(quote(arg));
          }
          parseNested(expanded.toString(), redirects, substitutions, context);
        } finally {
          scope.aliases.put(argv.get(0), alias);
        }
        return;
      }
      Optional<Unwrapping> unwrapped = Wrappers.unwrap(argv);
      List<String> own = argv;
      if (unwrapped.isPresent() && unwrapped.get() instanceof Unwrapping.Command inner) {
        own = argv.subList(0, inner.wrapperLength());
      }
      ShellCommand command =
          new ShellCommand(
              own, redirects, scope.cwd, context.upstream(), substitutions, context.depth());
      commands.add(command);
      String name = command.name();
      if (!argv.isEmpty() && UnknownValues.isUnknown(argv.get(0))) {
        opaque("the command name " + argv.get(0) + " is not known before it runs");
      }
      if (name.equals("cd") || name.equals("pushd")) {
        changeDirectory(command, scope);
      }
      if (scope.functions != null
          && scope.functions.containsKey(name)
          && own.size() == argv.size()) {
        callFunction(name, argv, context);
        return;
      }
      switch (name) {
        case "read", "mapfile", "readarray" -> forgetReadVariables(command, scope);
        case "alias" -> defineAliases(command, scope);
        case "unset" -> command.args().forEach(a -> scope.assign(a, null));
        default -> {}
      }
      Feed stdin = context.stdin();
      if (unwrapped.isEmpty()) {
        if (runsScript(argv, stdin, redirects, substitutions, context)) {
          return;
        }
        if (name.equals("parallel")) {
          parallelFromStdin(argv, stdin, redirects, substitutions, context);
        }
        Optional<InlineCode> inline = InlineCode.find(argv);
        if (inline.isPresent()) {
          interpret(name, inline.get(), redirects, substitutions, context);
        }
        Feed printed = Producers.output(argv, stdin, scope.files(), scope.cwd);
        rememberWrittenFiles(argv, redirects, stdin, printed, scope);
        if (!stdoutToFile) {
          output.add(printed);
        }
        return;
      }
      Unwrapping what = unwrapped.get();
      if (what instanceof Unwrapping.Command inner) {
        if (name.equals("xargs")) {
          xargs(argv, inner, redirects, substitutions, context, stdoutToFile);
        } else {
          emit(inner.argv(), redirects, substitutions, context, stdoutToFile);
        }
      } else if (what instanceof Unwrapping.Commands several) {
        several
            .argvs()
            .forEach(
                argvOfOne ->
                    emit(argvOfOne, redirects, substitutions, context.withStdin(Feed.NONE), true));
      } else if (what instanceof Unwrapping.Script script) {
        parseNested(script.source(), redirects, substitutions, context);
      }
    }

    /**
     * A shell that reads its commands from standard input or from a script written earlier in the
     * same line ({@code bash <<EOF}, {@code echo … | sh}, {@code cat > f.sh <<X … X; bash f.sh},
     * {@code ./f.sh}, {@code source f.sh}): parses that text like {@code bash -c}. Input the guard
     * cannot know makes the line opaque.
     */
    boolean runsScript(
        List<String> argv,
        Feed stdin,
        List<Redirect> redirects,
        List<String> substitutions,
        Context context) {
      String name = ShellCommand.baseName(argv.get(0));
      Map<String, String> files = context.scope().files();
      if (argv.get(0).indexOf('/') >= 0 && !Wrappers.SHELLS.contains(name)) {
        String script = files.get(ScriptFiles.key(argv.get(0), context.scope().cwd));
        if (script != null) {
          parseNested(script, redirects, substitutions, context.withStdin(Feed.NONE));
          return true;
        }
        return false;
      }
      boolean reader = Wrappers.SHELLS.contains(name) || name.equals("ssh");
      if (name.equals("source") || name.equals(".")) {
        if (argv.size() > 1) {
          String script = files.get(ScriptFiles.key(argv.get(1), context.scope().cwd));
          if (script != null) {
            parseNested(script, redirects, substitutions, context.withStdin(Feed.NONE));
            return true;
          }
        }
        return false;
      }
      if (!reader) {
        return false;
      }
      String operand = name.equals("ssh") ? null : Wrappers.shellScriptOperand(argv);
      if (operand != null && !operand.equals("-")) {
        String script = files.get(ScriptFiles.key(operand, context.scope().cwd));
        if (script != null) {
          parseNested(script, redirects, substitutions, context.withStdin(Feed.NONE));
          return true;
        }
        return false;
      }
      if (stdin.known()) {
        parseNested(stdin.text(), redirects, substitutions, context.withStdin(Feed.NONE));
        return true;
      }
      if (stdin.isUnknown()) {
        opaque(name + " reads commands from " + stdin.source() + ", which the guard cannot know");
        return true;
      }
      return false;
    }

    /**
     * Inline interpreter code ({@code python3 -c}, {@code node -e}, a here-document into {@code
     * python3 -}): what it deletes, writes, reads and runs is judged as the shell command that
     * would do the same. Code from a source the guard cannot know makes the line opaque.
     */
    void interpret(
        String name,
        InlineCode inline,
        List<Redirect> redirects,
        List<String> substitutions,
        Context context) {
      String code = inline.code();
      if (code == null) {
        Feed stdin = context.stdin();
        if (stdin.isUnknown()) {
          opaque(name + " reads code from " + stdin.source() + ", which the guard cannot know");
        }
        if (!stdin.known()) {
          return;
        }
        code = stdin.text();
      }
      if (context.depth() + 1 > maxDepth) {
        fail("code is nested deeper than " + maxDepth + " levels");
        return;
      }
      Context inside =
          new Context(
              context.scope(), List.of(), context.upstream(), context.depth() + 1, Feed.NONE);
      for (Effect effect : InterpreterCode.effects(inline.language(), code)) {
        switch (effect.kind()) {
          case DELETE ->
              emit(List.of("rm", "-f", effect.path()), redirects, substitutions, inside, true);
          case DELETE_TREE ->
              emit(List.of("rm", "-rf", effect.path()), redirects, substitutions, inside, true);
          case REMOVE_DIRECTORY ->
              emit(List.of("rmdir", effect.path()), redirects, substitutions, inside, true);
          case READ -> emit(List.of("cat", effect.path()), redirects, substitutions, inside, true);
          case WRITE ->
              commands.add(
                  new ShellCommand(
                      List.of(),
                      List.of(new Redirect(">", effect.path(), true)),
                      context.scope().cwd,
                      context.upstream(),
                      substitutions,
                      inside.depth()));
          case SHELL ->
              parseNested(effect.shell(), redirects, substitutions, context.withStdin(Feed.NONE));
          case EXEC -> emit(effect.argv(), redirects, substitutions, inside, true);
          case OPAQUE -> opaque(name + ": " + effect.reason());
        }
      }
    }

    /**
     * {@code parallel CMD} with no {@code :::}: runs CMD once per line it reads, like {@code
     * parallel CMD ::: LINES}. Lines the guard cannot know stand as one unknown value.
     */
    void parallelFromStdin(
        List<String> argv,
        Feed stdin,
        List<Redirect> redirects,
        List<String> substitutions,
        Context context) {
      List<String> values = new ArrayList<>();
      if (stdin.known()) {
        for (String line : stdin.text().split("\n")) {
          if (!line.isEmpty() && values.size() < MAX_LOOP_VALUES) {
            values.add(line);
          }
        }
      } else if (stdin.isUnknown()) {
        values.add(UnknownValues.placeholder(stdin.source()));
      }
      String script = Wrappers.parallelScript(Wrappers.parallelTemplate(argv, argv.size()), values);
      if (!script.isEmpty()) {
        parseNested(script, redirects, substitutions, context.withStdin(Feed.NONE));
      }
    }

    /**
     * {@code xargs CMD}: runs CMD with the words it reads appended (or put in place of the {@code
     * -I} string). Words from a literal producer are known; from anything else they are not.
     */
    void xargs(
        List<String> argv,
        Unwrapping.Command inner,
        List<Redirect> redirects,
        List<String> substitutions,
        Context context,
        boolean stdoutToFile) {
      String replace = null;
      String delimiter = null;
      for (int i = 1; i < inner.wrapperLength(); i++) {
        String option = argv.get(i);
        if ((option.equals("-I") || option.equals("-J")) && i + 1 < argv.size()) {
          replace = argv.get(i + 1);
        } else if (option.startsWith("-I") && option.length() > 2) {
          replace = option.substring(2);
        } else if (option.startsWith("--replace=") && option.length() > "--replace=".length()) {
          replace = option.substring("--replace=".length());
        } else if (option.equals("-i") || option.startsWith("--replace")) {
          replace = "{}";
        } else if (option.startsWith("-i") && option.length() > 2) {
          replace = option.substring(2);
        } else if (option.equals("-0") || option.equals("--null")) {
          delimiter = "\0";
        } else if (option.equals("-d") && i + 1 < argv.size()) {
          delimiter = Words.unescapeAnsiC(argv.get(i + 1));
        }
      }
      Feed stdin = context.stdin();
      for (int i = 1; i < inner.wrapperLength(); i++) {
        String option = argv.get(i);
        if ((option.equals("-a") || option.equals("--arg-file")) && i + 1 < argv.size()) {
          stdin = Feed.unknown("the file " + argv.get(i + 1));
        } else if (option.startsWith("--arg-file=")) {
          stdin = Feed.unknown("the file " + option.substring("--arg-file=".length()));
        }
      }
      List<String> items = new ArrayList<>();
      if (stdin.known()) {
        // With a replace string each input line is one item; otherwise blanks separate items.
        String[] parts =
            delimiter != null
                ? stdin.text().split(java.util.regex.Pattern.quote(delimiter))
                : replace != null ? stdin.text().split("\n") : stdin.text().trim().split("\\s+");
        for (String part : parts) {
          if (!part.isEmpty() && items.size() < MAX_LOOP_VALUES) {
            items.add(part);
          }
        }
      } else if (stdin.isUnknown()) {
        items.add(UnknownValues.placeholder(stdin.source()));
      }
      Context inside = context.withStdin(Feed.NONE);
      if (replace == null) {
        List<String> all = new ArrayList<>(inner.argv());
        all.addAll(items);
        emit(all, redirects, substitutions, inside, stdoutToFile);
        return;
      }
      if (items.isEmpty()) {
        emit(inner.argv(), redirects, substitutions, inside, stdoutToFile);
      }
      for (String item : items) {
        List<String> one = new ArrayList<>();
        for (String word : inner.argv()) {
          one.add(word.replace(replace, item));
        }
        emit(one, redirects, substitutions, inside, stdoutToFile);
      }
    }

    void callFunction(String name, List<String> argv, Context context) {
      calledFunctions.add(name);
      // A function calling itself with the arguments it is already running with runs the commands
      // already being judged: the fork bomb (":(){ :|:& };:") would otherwise double per level.
      List<String> call = List.copyOf(argv);
      if (activeCalls.contains(call)) {
        return;
      }
      if (context.depth() + 1 > maxDepth) {
        fail("functions call each other deeper than " + maxDepth + " levels");
        return;
      }
      activeCalls.add(call);
      try {
        runFunction(name, argv, context);
      } finally {
        activeCalls.remove(call);
      }
    }

    private void runFunction(String name, List<String> argv, Context context) {
      Scope scope = context.scope();
      Map<String, String> saved =
          scope.variables == null ? Map.of() : new HashMap<>(scope.variables);
      List<String> args = argv.subList(1, argv.size());
      for (int i = 0; i < Math.max(args.size(), 9); i++) {
        scope.assign(Integer.toString(i + 1), i < args.size() ? args.get(i) : "");
      }
      scope.assign("@", String.join(" ", args));
      scope.assign("*", String.join(" ", args));
      scope.assign("#", Integer.toString(args.size()));
      parse(
          scope.functions.get(name),
          scope,
          context.depth() + 1,
          context.upstream(),
          context.stdin());
      for (String positional :
          List.of("@", "*", "#", "1", "2", "3", "4", "5", "6", "7", "8", "9")) {
        scope.assign(positional, saved.get(positional));
      }
      for (int i = 10; i <= args.size(); i++) {
        scope.assign(Integer.toString(i), saved.get(Integer.toString(i)));
      }
    }

    /**
     * A function defined in the line but never called there may still run (another shell can be
     * handed it): its commands are judged with arguments the guard cannot know.
     */
    void runUncalledFunctions(String cwd) {
      for (Map.Entry<String, String> function : new ArrayList<>(definedFunctions.entrySet())) {
        if (!calledFunctions.contains(function.getKey())) {
          calledFunctions.add(function.getKey());
          parse(function.getValue(), startScope(cwd), 1, List.of(), Feed.NONE);
        }
      }
    }

    void forgetReadVariables(ShellCommand read, Scope scope) {
      List<String> args = read.args();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (arg.startsWith("-")) {
          if (arg.matches("-[a-zA-Z]*[pdntuNC]")) {
            i++;
          }
        } else {
          scope.assign(arg, null);
        }
      }
      scope.assign("REPLY", null);
      scope.assign("MAPFILE", null);
    }

    void defineAliases(ShellCommand alias, Scope scope) {
      for (String arg : alias.args()) {
        int equals = arg.indexOf('=');
        if (equals > 0) {
          if (scope.aliases == null) {
            scope.aliases = new HashMap<>();
          }
          scope.aliases.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
      }
    }

    /**
     * {@code cat > f.sh <<X}, {@code echo … > f.sh}, {@code tee f.sh}: scripts a later command may
     * run.
     */
    void rememberWrittenFiles(
        List<String> argv, List<Redirect> redirects, Feed stdin, Feed printed, Scope scope) {
      for (Redirect redirect : redirects) {
        if (redirect.writes() && !redirect.operator().startsWith("2")) {
          scope.writeFile(
              redirect.target(),
              printed.known() ? printed.text() : null,
              redirect.operator().endsWith(">>"));
        }
      }
      if (ShellCommand.baseName(argv.get(0)).equals("tee")) {
        boolean append = argv.contains("-a") || argv.contains("--append");
        for (String arg : argv.subList(1, argv.size())) {
          if (!arg.startsWith("-")) {
            scope.writeFile(arg, stdin.known() ? stdin.text() : null, append);
          }
        }
      }
    }

    void parseNested(
        String source, List<Redirect> redirects, List<String> substitutions, Context context) {
      if (context.depth() + 1 > maxDepth) {
        fail("shell strings are nested deeper than " + maxDepth + " levels");
        return;
      }
      int before = commands.size();
      parse(source, context.scope(), context.depth() + 1, context.upstream(), context.stdin());
      if (redirects.isEmpty() && substitutions.isEmpty()) {
        return;
      }
      for (int i = before; i < commands.size(); i++) {
        ShellCommand nested = commands.get(i);
        List<Redirect> allRedirects = new ArrayList<>(nested.redirects());
        allRedirects.addAll(redirects);
        List<String> allSubstitutions = new ArrayList<>(nested.substitutions());
        allSubstitutions.addAll(substitutions);
        commands.set(
            i,
            new ShellCommand(
                nested.argv(),
                allRedirects,
                nested.cwd(),
                nested.upstream(),
                allSubstitutions,
                nested.depth()));
      }
    }

    void changeDirectory(ShellCommand cd, Scope scope) {
      List<String> operands = cd.args().stream().filter(a -> !a.startsWith("-")).toList();
      if (operands.isEmpty()) {
        scope.cwd = "~";
      } else {
        String target = operands.get(0);
        scope.cwd =
            target.startsWith("/") || target.startsWith("~") || target.startsWith("$")
                ? target
                : scope.cwd + "/" + target;
      }
    }

    /**
     * Walks the syntax tree. Every tree-sitter node method is a JNI round trip that looks its
     * fields up again, so asking a node for them on every visit costs more than the parse itself;
     * each node's type and child count are read once and handed down.
     */
    private final class NodeVisitor implements Words.Expansions {
      private final Words words;
      private final byte[] source;

      /** The scope expansions read while a word is being evaluated. */
      private Scope current;

      /** Output of the command substitutions already run, by their start byte. */
      private Map<Integer, String> substituted;

      NodeVisitor(byte[] source, Scope scope) {
        this.source = source;
        this.words = new Words(source, this);
        this.current = scope;
      }

      @Override
      public String variable(String name) {
        return current.variable(name);
      }

      @Override
      public void assign(String name, String value) {
        current.assign(name, value);
      }

      @Override
      public String substitution(TSNode node) {
        return substituted == null ? null : substituted.get(Nodes.startByte(node));
      }

      String value(TSNode node, String type, Context context) {
        current = context.scope();
        return words.value(node, type);
      }

      /**
       * The words one argument becomes: several after brace expansion, or after word splitting of
       * an unquoted expansion the guard resolved ({@code C="rm -rf /"; $C}).
       */
      void addValues(TSNode node, String type, Context context, List<String> into) {
        String value = value(node, type, context);
        String raw = words.text(node);
        // A lone range ({1..64}) is its own node type; a range inside a word is a concatenation.
        if ((type.equals("word") || type.equals("concatenation") || type.equals("brace_expression"))
            && Braces.expands(raw)) {
          into.addAll(Braces.expand(value));
        } else if (SPLIT_TYPES.contains(type)
            && !value.equals(raw)
            && raw.indexOf('"') < 0
            && raw.indexOf('\'') < 0) {
          for (String part : value.split("[ \t\n]+")) {
            if (!part.isEmpty()) {
              into.add(part);
            }
          }
        } else {
          into.add(value);
        }
      }

      void visit(TSNode node, Context context) {
        visit(node, Nodes.type(node), context);
      }

      void visit(TSNode node, String type, Context context) {
        switch (type) {
          case "command" -> command(node, context);
          case "redirected_statement" -> redirected(node, context);
          case "pipeline" -> pipeline(node, context);
          case "subshell" -> children(node, context.isolated().withStdin(context.stdin()));
          case "command_substitution", "process_substitution" -> children(node, context.isolated());
          case "variable_assignment" -> assignment(node, context);
          case "function_definition" -> function(node, context);
          case "for_statement" -> forLoop(node, context);
          default -> children(node, context);
        }
      }

      void children(TSNode node, Context context) {
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          visit(Nodes.namedChild(node, i), context);
        }
      }

      void assignment(TSNode node, Context context) {
        int count = Nodes.namedChildCount(node);
        String name = null;
        String value = "";
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          if (name == null && type.equals("variable_name")) {
            name = words.text(child);
          } else {
            visitSubstitutions(child, type, context);
            value = value(child, type, context);
          }
        }
        if (name != null) {
          context.scope().assign(name, value);
        }
      }

      void function(TSNode node, Context context) {
        String name = null;
        TSNode body = null;
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          if (name == null && type.equals("word")) {
            name = words.value(child, type);
          } else if (type.endsWith("_statement") || type.equals("subshell")) {
            body = child;
          }
        }
        if (name == null || body == null) {
          children(node, context);
          return;
        }
        String text = words.text(body);
        Scope scope = context.scope();
        if (scope.functions == null) {
          scope.functions = new HashMap<>();
        }
        scope.functions.put(name, text);
        definedFunctions.putIfAbsent(name, text);
      }

      /**
       * {@code for v in WORDS; do …; done}: the body runs once per word, with the variable set to
       * it (globs stay as written, paths match them as globs). Beyond {@link #MAX_LOOP_VALUES}
       * distinct words, or without a word list, the variable cannot be known.
       */
      void forLoop(TSNode node, Context context) {
        String variable = null;
        List<String> values = new ArrayList<>();
        boolean listed = false;
        List<TSNode> body = new ArrayList<>();
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          if (variable == null && type.equals("variable_name")) {
            variable = words.text(child);
          } else if (type.equals("do_group") || type.equals("compound_statement")) {
            body.add(child);
          } else if (!type.equals("comment")) {
            listed = true;
            visitSubstitutions(child, type, context);
            addValues(child, type, context, values);
          }
        }
        Set<String> distinct = new LinkedHashSet<>(values);
        if (!listed || distinct.isEmpty() || distinct.size() > MAX_LOOP_VALUES) {
          distinct = new LinkedHashSet<>();
          distinct.add(null);
        }
        for (String value : distinct) {
          if (!spend()) {
            return;
          }
          if (variable != null) {
            context.scope().assign(variable, value);
          }
          for (TSNode statement : body) {
            visit(statement, context);
          }
        }
      }

      void pipeline(TSNode node, Context context) {
        stages(node, context);
      }

      void redirected(TSNode node, Context context) {
        Redirections redirections = new Redirections();
        List<String> trailing = new ArrayList<>();
        TSNode body = null;
        String bodyType = null;
        List<TSNode> heredocTails = new ArrayList<>();
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          // The grammar's "redirect" field holds only *_redirect nodes; anything else is the
          // "body".
          if (type.endsWith("_redirect")) {
            collectRedirects(child, type, redirections, context, heredocTails, trailing);
          } else if (body == null) {
            body = child;
            bodyType = type;
          } else {
            visitSubstitutions(child, type, context);
          }
        }
        Context inner = context.withRedirects(redirections.list);
        if (redirections.stdin != null) {
          inner = inner.withStdin(redirections.stdin);
        }
        Output saved = output;
        if (redirections.stdoutToFile) {
          output = new Output();
        }
        TSNode pipe = null;
        for (TSNode tail : heredocTails) {
          if (Nodes.type(tail).equals("pipeline")) {
            pipe = tail;
          }
        }
        final TSNode finalBody = body;
        final String finalBodyType = bodyType;
        final Context bodyContext = inner;
        Runnable runBody =
            () -> {
              if (finalBody != null && finalBodyType.equals("command") && !trailing.isEmpty()) {
                command(finalBody, bodyContext, trailing);
              } else if (finalBody != null) {
                visit(finalBody, finalBodyType, bodyContext);
              } else if (!redirections.list.isEmpty()) {
                // A bare redirection ("> file") still truncates the file.
                commands.add(
                    new ShellCommand(
                        List.of(),
                        redirections.list,
                        context.scope().cwd,
                        context.upstream(),
                        List.of(),
                        context.depth()));
              }
            };
        if (pipe != null) {
          Output bodyOutput = new Output();
          Output outer = output;
          output = bodyOutput;
          runBody.run();
          output = outer;
          Context rest = context.withUpstream(upstreamOf(context)).withStdin(bodyOutput.feed());
          stages(pipe, rest);
        } else {
          runBody.run();
        }
        if (redirections.stdoutToFile) {
          output = saved;
        }
        for (TSNode tail : heredocTails) {
          if (tail != pipe) {
            visit(tail, context);
          }
        }
      }

      private List<String> upstreamOf(Context context) {
        List<String> upstream = new ArrayList<>(context.upstream());
        if (!commands.isEmpty()) {
          upstream.add(commands.get(commands.size() - 1).name());
        }
        return upstream;
      }

      /**
       * Runs the stages of a pipeline, each fed what the one before printed; also the stages after
       * a here-document's own command ({@code cat <<EOF | sh}), which the grammar puts inside the
       * here-document.
       */
      private void stages(TSNode pipe, Context context) {
        List<String> upstream = new ArrayList<>(context.upstream());
        Feed feed = context.stdin();
        int count = Nodes.namedChildCount(pipe);
        for (int i = 0; i < count; i++) {
          boolean last = i == count - 1;
          Output saved = output;
          if (!last) {
            output = new Output();
          }
          int before = commands.size();
          visit(
              Nodes.namedChild(pipe, i),
              context.withUpstream(List.copyOf(upstream)).withStdin(feed));
          for (ShellCommand command : commands.subList(before, commands.size())) {
            upstream.add(command.name());
          }
          if (!last) {
            feed = output.feed();
            output = saved;
          }
        }
      }

      /**
       * @param heredocTails where the statements the grammar puts inside a here-document's redirect
       *     go ({@code cat <<EOF | sh}); {@code null} inside a simple command
       * @param argv where words that follow a redirection's target go ({@code rm -rf 2>/dev/null
       *     /}: tree-sitter-bash puts {@code /} inside the redirect, bash passes it to rm); {@code
       *     null} where there is no command to pass them to
       */
      void collectRedirects(
          TSNode node,
          String type,
          Redirections into,
          Context context,
          List<TSNode> heredocTails,
          List<String> argv) {
        switch (type) {
          case "file_redirect" -> {
            String operator = "";
            String descriptor = null;
            TSNode destination = null;
            String destinationType = null;
            int count = Nodes.childCount(node);
            for (int i = 0; i < count; i++) {
              TSNode child = Nodes.child(node, i);
              int symbol = Nodes.symbol(child);
              String childType = Nodes.type(child, symbol);
              if (!Nodes.isNamed(child, symbol)) {
                operator = childType;
              } else if ("file_descriptor".equals(childType)) {
                descriptor = words.text(child);
              } else if (destination == null) {
                destination = child;
                destinationType = childType;
              } else if (argv != null) {
                visitSubstitutions(child, childType, context);
                addValues(child, childType, context, argv);
              } else {
                visitSubstitutions(child, childType, context);
              }
            }
            if (destination != null) {
              visitSubstitutions(destination, destinationType, context);
              String target = value(destination, destinationType, context);
              boolean duplicatesDescriptor =
                  operator.endsWith("&") && DESCRIPTOR.matcher(target).matches();
              boolean reads = operator.startsWith("<") && !operator.equals("<>");
              if (!duplicatesDescriptor) {
                into.list.add(new Redirect(operator, target, !reads));
              }
              if (reads && (descriptor == null || descriptor.equals("0"))) {
                String file =
                    context.scope().files().get(ScriptFiles.key(target, context.scope().cwd));
                into.stdin = file != null ? Feed.literal(file) : Feed.unknown("the file " + target);
              } else if (!reads
                  && !duplicatesDescriptor
                  && (descriptor == null || descriptor.equals("1") || operator.startsWith("&"))) {
                into.stdoutToFile = true;
              }
            }
          }
          case "heredoc_redirect" -> {
            int count = Nodes.namedChildCount(node);
            for (int i = 0; i < count; i++) {
              TSNode child = Nodes.namedChild(node, i);
              String childType = Nodes.type(child);
              switch (childType) {
                case "heredoc_start", "heredoc_end" -> {}
                case "heredoc_body" -> {
                  visitSubstitutions(child, childType, context);
                  into.stdin = Feed.literal(heredocText(child, context));
                }
                default -> {
                  if (childType.endsWith("_redirect")) {
                    collectRedirects(child, childType, into, context, heredocTails, argv);
                  } else if (heredocTails != null) {
                    heredocTails.add(child);
                  } else {
                    visitSubstitutions(child, childType, context);
                  }
                }
              }
            }
          }
          case "herestring_redirect" -> {
            int count = Nodes.namedChildCount(node);
            for (int i = 0; i < count; i++) {
              TSNode child = Nodes.namedChild(node, i);
              String childType = Nodes.type(child);
              visitSubstitutions(child, childType, context);
              into.stdin = Feed.literal(value(child, childType, context) + "\n");
            }
          }
          default -> visitSubstitutions(node, type, context);
        }
      }

      /** A here-document's text, with the variables and substitutions the guard knows expanded. */
      private String heredocText(TSNode body, Context context) {
        int count = Nodes.namedChildCount(body);
        if (count == 0) {
          return words.text(body);
        }
        current = context.scope();
        StringBuilder out = new StringBuilder();
        int position = Nodes.startByte(body);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(body, i);
          String type = Nodes.type(child);
          if (type.equals("heredoc_content")) {
            continue;
          }
          int start = Nodes.startByte(child);
          int end = Nodes.endByte(child);
          if (start < position) {
            continue;
          }
          out.append(new String(source, position, start - position, StandardCharsets.UTF_8));
          out.append(words.value(child, type));
          position = end;
        }
        int end = Nodes.endByte(body);
        if (end > position) {
          out.append(new String(source, position, end - position, StandardCharsets.UTF_8));
        }
        return out.toString();
      }

      /** Judges the commands inside substitutions below {@code node}; returns their names. */
      List<String> visitSubstitutions(TSNode node, String type, Context context) {
        if (LEAVES.contains(type)) {
          return List.of();
        }
        List<String> names = new ArrayList<>();
        if (type.equals("command_substitution") || type.equals("process_substitution")) {
          int before = commands.size();
          Output saved = output;
          output = new Output();
          children(node, context.isolated());
          Feed printed = output.feed();
          output = saved;
          if (type.equals("command_substitution")) {
            if (substituted == null) {
              substituted = new HashMap<>();
            }
            substituted.put(
                Nodes.startByte(node),
                printed.known() ? printed.text().replaceAll("\n+$", "") : null);
          }
          for (ShellCommand inner : commands.subList(before, commands.size())) {
            names.add(inner.name());
          }
          return names;
        }
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          names.addAll(visitSubstitutions(child, Nodes.type(child), context));
        }
        return names;
      }

      void command(TSNode node, Context context) {
        command(node, context, List.of());
      }

      /**
       * @param trailing words the grammar put after a redirection of the statement around this
       *     command, which bash passes to the command as arguments
       */
      void command(TSNode node, Context context, List<String> trailing) {
        List<String> argv = new ArrayList<>();
        List<String> substitutions = new ArrayList<>();
        Redirections redirections = new Redirections();
        redirections.list.addAll(context.redirects());
        // Children are told apart by type, not field name: one JNI call fewer per word.
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          if (type.equals("command_name")) {
            // command_name wraps exactly one word-like node (or is empty in broken input).
            TSNode word = Nodes.namedChildCount(child) > 0 ? Nodes.namedChild(child, 0) : child;
            String wordType = word == child ? type : Nodes.type(word);
            substitutions.addAll(visitSubstitutions(word, wordType, context));
            addValues(word, wordType, context, argv);
          } else if (type.endsWith("_redirect")) {
            collectRedirects(child, type, redirections, context, null, argv);
          } else if (type.equals("variable_assignment") && argv.isEmpty()) {
            // Leading "VAR=value" assignments: only their substitutions run; the value reaches
            // the command's environment (and "bash -c"), so it is remembered as the worst case.
            substitutions.addAll(visitSubstitutions(child, type, context));
            assignment(child, context);
          } else {
            substitutions.addAll(visitSubstitutions(child, type, context));
            addValues(child, type, context, argv);
          }
        }
        argv.addAll(trailing);
        if (!argv.isEmpty()) {
          Context commandContext =
              redirections.stdin == null ? context : context.withStdin(redirections.stdin);
          Output saved = output;
          if (redirections.stdoutToFile) {
            output = new Output();
          }
          emit(argv, redirections.list, substitutions, commandContext, redirections.stdoutToFile);
          output = saved;
        }
      }
    }
  }

  /** Quotes a word for the shell, so an alias's arguments parse back to the same words. */
  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
