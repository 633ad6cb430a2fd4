package dev.claudetelemetry.policy.interpreters;

import dev.claudetelemetry.policy.interpreters.Effect.Kind;
import dev.claudetelemetry.policy.interpreters.Syntax.Node;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.treesitter.TreeSitterPython;

/**
 * Reads inline Python with tree-sitter-python and lists the calls that delete, write, read or run
 * something, with their literal arguments. Imports and their aliases ({@code from shutil import
 * rmtree as r}, {@code __import__('os')}) and variables assigned a literal are followed; paths
 * built from literals ({@code os.path.join}, {@code os.path.expanduser}, {@code Path.home() /
 * '.ssh'}, f-strings whose holes are literals) are computed.
 */
final class PythonCode extends TreeSitterCode<PythonCode.Value> {

  static final Syntax.Grammar GRAMMAR =
      new Syntax.Grammar(TreeSitterNatives.load(TreeSitterPython::new));

  private static final Set<String> PATH_TYPES =
      Set.of(
          "Path", "pathlib.Path", "PurePath", "pathlib.PurePath", "PosixPath", "pathlib.PosixPath");
  private static final Set<String> SAME_PATH =
      Set.of(
          "os.path.expanduser",
          "os.path.expandvars",
          "os.path.abspath",
          "os.path.normpath",
          "os.path.realpath",
          "os.fspath",
          "str");
  private static final Set<String> RUN =
      Set.of(
          "subprocess.run",
          "subprocess.call",
          "subprocess.check_call",
          "subprocess.check_output",
          "subprocess.Popen");
  private static final Set<String> SHELL =
      Set.of(
          "os.system",
          "os.popen",
          "subprocess.getoutput",
          "subprocess.getstatusoutput",
          "commands.getoutput",
          "pty.spawn");

  /**
   * A word in the name of every call this reader acts on (the functions of {@link #handleFunction},
   * the path methods of {@link #pathMethod}); see {@link InterpreterCode#mayAct}. A name added
   * there needs its word here: the prefilter test finds one that is missing.
   */
  static final List<String> CALL_WORDS =
      List.of(
          "rmtree",
          "remove",
          "unlink",
          "rmdir",
          "truncate",
          "move",
          "rename",
          "replace",
          "copy",
          "open",
          "exec",
          "eval",
          "compile",
          "spawn",
          "system",
          "output",
          "run",
          "call",
          "write_",
          "read_",
          "touch");

  /** A literal value: its text, and whether it is a pathlib path (whose methods touch files). */
  record Value(String text, boolean path) {}

  private PythonCode(List<Effect> effects, int depth, ReadBudget budget) {
    super(GRAMMAR, effects, depth, budget);
  }

  static void analyze(String code, List<Effect> into, int depth) {
    new PythonCode(into, depth, new ReadBudget()).read(code);
  }

  @Override
  PythonCode nested(List<Effect> effects, int depth, ReadBudget budget) {
    return new PythonCode(effects, depth, budget);
  }

  @Override
  boolean visit(Node node) {
    switch (node.type) {
      case "import_statement" -> imports(node, null);
      case "import_from_statement" -> {
        Node module = node.field("module_name");
        imports(node, module == null ? null : module.text());
        return false;
      }
      case "assignment" -> assignment(node);
      case "call" -> call(node);
      default -> {}
    }
    return true;
  }

  private void imports(Node node, String from) {
    for (Node child : node.named()) {
      if (from != null && child.text().equals(from)) {
        continue;
      }
      if (child.is("dotted_name")) {
        String name = child.text();
        if (from == null) {
          String first = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
          aliases.put(first, first);
        } else {
          aliases.put(name, from + "." + name);
        }
      } else if (child.is("aliased_import")) {
        Node name = child.field("name");
        Node alias = child.field("alias");
        if (name != null && alias != null) {
          aliases.put(alias.text(), from == null ? name.text() : from + "." + name.text());
        }
      }
    }
  }

  private void assignment(Node node) {
    Node left = node.field("left");
    Node right = node.field("right");
    if (left == null || !left.is("identifier")) {
      return;
    }
    if (right == null) {
      variables.remove(left.text());
      return;
    }
    Value value = evaluate(right);
    if (value != null) {
      variables.put(left.text(), value);
    } else {
      variables.remove(left.text());
      String module = moduleOf(right);
      if (module != null) {
        aliases.put(left.text(), module);
      }
    }
  }

  /** {@code __import__('os')}, {@code importlib.import_module('os')}, or a module alias. */
  private String moduleOf(Node node) {
    if (node.is("identifier") && aliases.containsKey(node.text())) {
      return aliases.get(node.text());
    }
    if (node.is("call")) {
      String callee = name(node.field("function"));
      List<Node> args = positional(node);
      if (("__import__".equals(callee) || "importlib.import_module".equals(callee))
          && !args.isEmpty()) {
        Value module = evaluate(args.get(0));
        return module == null ? null : module.text();
      }
    }
    return null;
  }

  /** The dotted name a callee stands for, aliases resolved; {@code null} if not a plain name. */
  private String name(Node node) {
    if (node == null) {
      return null;
    }
    if (node.is("identifier")) {
      return aliases.getOrDefault(node.text(), node.text());
    }
    if (node.is("attribute")) {
      Node object = node.field("object");
      Node attribute = node.field("attribute");
      if (object == null || attribute == null) {
        return null;
      }
      String base = object.is("call") ? moduleOf(object) : name(object);
      return base == null ? null : base + "." + attribute.text();
    }
    return null;
  }

  private static List<Node> positional(Node call) {
    Node arguments = call.field("arguments");
    List<Node> out = new ArrayList<>();
    if (arguments != null) {
      for (Node argument : arguments.named()) {
        if (!argument.is("keyword_argument", "comment")) {
          out.add(argument);
        }
      }
    }
    return out;
  }

  private static Node keyword(Node call, String name) {
    Node arguments = call.field("arguments");
    if (arguments != null) {
      for (Node argument : arguments.named()) {
        if (argument.is("keyword_argument")) {
          Node key = argument.field("name");
          if (key != null && key.text().equals(name)) {
            return argument.field("value");
          }
        }
      }
    }
    return null;
  }

  private void call(Node node) {
    Node function = node.field("function");
    String callee = name(function);
    List<Node> args = positional(node);
    if (callee != null && handleFunction(callee, node, args)) {
      return;
    }
    if (function != null && function.is("attribute")) {
      pathMethod(function, args, callee);
    }
  }

  private boolean handleFunction(String callee, Node node, List<Node> args) {
    switch (callee) {
      case "shutil.rmtree" -> path(Kind.DELETE_TREE, callee, args, 0);
      case "os.remove", "os.unlink" -> path(Kind.DELETE, callee, args, 0);
      case "os.rmdir", "os.removedirs" -> path(Kind.REMOVE_DIRECTORY, callee, args, 0);
      case "os.truncate" -> path(Kind.WRITE, callee, args, 0);
      case "shutil.move", "os.rename", "os.replace", "os.renames" -> {
        path(Kind.DELETE, callee, args, 0);
        path(Kind.WRITE, callee, args, 1);
      }
      case "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree" -> {
        path(Kind.READ, callee, args, 0);
        path(Kind.WRITE, callee, args, 1);
      }
      case "open", "io.open", "codecs.open" -> {
        Node mode = args.size() > 1 ? args.get(1) : keyword(node, "mode");
        open(callee, args, mode);
      }
      case "exec", "eval", "compile" -> {
        if (!args.isEmpty()) {
          evaluated(callee, literal(args.get(0)));
        }
      }
      case "os.execv", "os.execvp", "os.execve", "os.execvpe" -> argvList(callee, args, 1);
      case "os.execl", "os.execlp", "os.execle", "os.execlpe" -> argvWords(callee, args, 1);
      case "os.spawnv", "os.spawnvp", "os.spawnve", "os.spawnvpe" -> argvList(callee, args, 2);
      case "os.spawnl", "os.spawnlp", "os.spawnle", "os.spawnlpe" -> argvWords(callee, args, 2);
      default -> {
        if (SHELL.contains(callee)) {
          shell(callee, args);
        } else if (RUN.contains(callee)) {
          run(callee, node, args);
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * {@code Path('/x').unlink()}, {@code p.write_text(...)}, {@code (home / '.env').read_text()}.
   */
  private void pathMethod(Node function, List<Node> args, String callee) {
    Node object = function.field("object");
    Node attribute = function.field("attribute");
    if (object == null || attribute == null) {
      return;
    }
    String method = attribute.text();
    Kind kind;
    switch (method) {
      case "unlink" -> kind = Kind.DELETE;
      case "rmdir" -> kind = Kind.REMOVE_DIRECTORY;
      case "write_text", "write_bytes", "touch" -> kind = Kind.WRITE;
      case "read_text", "read_bytes" -> kind = Kind.READ;
      case "rename", "replace", "open" -> kind = null;
      default -> {
        return;
      }
    }
    Value receiver = evaluate(object);
    boolean pathObject = receiver != null ? receiver.path() : looksLikePath(object);
    if (!pathObject) {
      // str.replace, a file object's open: not a path. Unknown receivers of path-only methods are.
      if (receiver == null && kind != null && callee == null) {
        effects.add(Effect.opaque("." + method + "() on a path computed at run time"));
      }
      return;
    }
    if (receiver == null) {
      effects.add(Effect.opaque("." + method + "() on a path computed at run time"));
      return;
    }
    if (kind != null) {
      effects.add(Effect.onPath(kind, receiver.text()));
    } else if (method.equals("open")) {
      Value mode = args.isEmpty() ? null : evaluate(args.get(0));
      addOpen(receiver.text(), args.isEmpty() ? "r" : mode == null ? null : mode.text());
    } else {
      effects.add(Effect.onPath(Kind.DELETE, receiver.text()));
      path(Kind.WRITE, "." + method, args, 0);
    }
  }

  private boolean looksLikePath(Node node) {
    if (node.is("call")) {
      String callee = name(node.field("function"));
      return callee != null && (PATH_TYPES.contains(callee) || callee.endsWith(".home"));
    }
    return node.is("binary_operator") && node.text().contains("/");
  }

  private void open(String callee, List<Node> args, Node modeNode) {
    if (args.isEmpty()) {
      return;
    }
    Value path = evaluate(args.get(0));
    if (path == null) {
      if (!isCommandLineArgument(args.get(0))) {
        opaque(callee, "path");
      }
      return;
    }
    Value mode = modeNode == null ? new Value("r", false) : evaluate(modeNode);
    addOpen(path.text(), mode == null ? null : mode.text());
  }

  /** A mode the guard cannot read counts as both a read and a write. */
  private void addOpen(String path, String mode) {
    boolean writes = mode == null || mode.matches(".*[wax+].*");
    boolean reads = mode == null || !mode.matches("[wax]b?");
    if (reads) {
      effects.add(Effect.onPath(Kind.READ, path));
    }
    if (writes) {
      effects.add(Effect.onPath(Kind.WRITE, path));
    }
  }

  private void path(Kind kind, String callee, List<Node> args, int index) {
    if (index >= args.size()) {
      return;
    }
    Value value = evaluate(args.get(index));
    if (value != null) {
      effects.add(Effect.onPath(kind, value.text()));
    } else if (!isCommandLineArgument(args.get(index))) {
      opaque(callee, "path");
    }
  }

  private void shell(String callee, List<Node> args) {
    if (args.isEmpty()) {
      return;
    }
    Node first = args.get(0);
    if (first.is("list", "tuple")) {
      argvList(callee, args, 0);
      return;
    }
    Value command = evaluate(first);
    if (command == null) {
      opaque(callee, "command");
    } else {
      effects.add(Effect.shell(command.text()));
    }
  }

  /**
   * subprocess: a list is an argv; a string is a command line for {@code shell=True}, and without
   * it the worst plausible reading is the same.
   */
  private void run(String callee, Node call, List<Node> args) {
    Node first = args.isEmpty() ? keyword(call, "args") : args.get(0);
    if (first == null) {
      return;
    }
    if (first.is("list", "tuple")) {
      List<String> argv = literalList(first);
      if (argv == null) {
        opaque(callee, "command");
      } else if (!argv.isEmpty()) {
        effects.add(Effect.exec(argv));
      }
      return;
    }
    Value command = evaluate(first);
    if (command == null) {
      opaque(callee, "command");
    } else {
      effects.add(Effect.shell(command.text()));
    }
  }

  private void argvList(String callee, List<Node> args, int index) {
    if (index >= args.size()) {
      return;
    }
    List<String> argv = literalList(args.get(index));
    if (argv == null) {
      opaque(callee, "command");
    } else if (!argv.isEmpty()) {
      effects.add(Effect.exec(argv));
    }
  }

  private void argvWords(String callee, List<Node> args, int from) {
    List<String> argv = new ArrayList<>();
    for (int i = from; i < args.size(); i++) {
      Value word = evaluate(args.get(i));
      if (word == null) {
        opaque(callee, "command");
        return;
      }
      argv.add(word.text());
    }
    if (!argv.isEmpty()) {
      effects.add(Effect.exec(argv));
    }
  }

  private List<String> literalList(Node list) {
    if (!list.is("list", "tuple")) {
      Value single = evaluate(list);
      return single == null ? null : List.of(single.text());
    }
    List<String> out = new ArrayList<>();
    for (Node item : list.named()) {
      if (item.is("comment")) {
        continue;
      }
      Value value = evaluate(item);
      if (value == null) {
        return null;
      }
      out.add(value.text());
    }
    return out;
  }

  /** {@code sys.argv[1]}: the shell's own operands, which the policy already judges. */
  private boolean isCommandLineArgument(Node node) {
    return node.is("subscript") && node.text().startsWith("sys.argv");
  }

  @Override
  String textOf(Value value) {
    return value.text();
  }

  @Override
  Value evaluateNode(Node node) {
    switch (node.type) {
      case "string":
        {
          String text = string(node);
          return text == null ? null : new Value(text, false);
        }
      case "concatenated_string":
        {
          StringBuilder out = new StringBuilder();
          for (Node part : node.named()) {
            String text = part.is("string") ? string(part) : null;
            if (text == null) {
              return null;
            }
            out.append(text);
            if (out.length() > MAX_VALUE_CHARS) {
              return null;
            }
          }
          return new Value(out.toString(), false);
        }
      case "parenthesized_expression":
        {
          List<Node> inner = node.named();
          return inner.size() == 1 ? evaluate(inner.get(0)) : null;
        }
      case "identifier":
        return variables.get(node.text());
      case "binary_operator":
        {
          Node left = node.field("left");
          Node right = node.field("right");
          Node operator = node.field("operator");
          if (left == null || right == null || operator == null) {
            return null;
          }
          Value a = evaluate(left);
          Value b = evaluate(right);
          if (a == null || b == null) {
            return null;
          }
          return switch (operator.text()) {
            case "+" -> new Value(a.text() + b.text(), a.path());
            case "/" -> a.path() ? new Value(join(a.text(), b.text()), true) : null;
            default -> null;
          };
        }
      case "subscript":
        return isHome(node.text()) ? new Value("~", false) : null;
      case "call":
        return evaluateCall(node);
      default:
        return null;
    }
  }

  private static boolean isHome(String text) {
    String compact = text.replace(" ", "").replace('"', '\'');
    return compact.equals("os.environ['HOME']")
        || compact.equals("os.getenv('HOME')")
        || compact.equals("os.environ.get('HOME')");
  }

  private Value evaluateCall(Node node) {
    if (isHome(node.text())) {
      return new Value("~", false);
    }
    Node function = node.field("function");
    String callee = name(function);
    List<Node> args = positional(node);
    if (callee != null) {
      if (PATH_TYPES.contains(callee) || callee.equals("os.path.join")) {
        if (args.isEmpty()) {
          return new Value(".", PATH_TYPES.contains(callee));
        }
        String joined = null;
        for (Node arg : args) {
          Value part = evaluate(arg);
          if (part == null) {
            return null;
          }
          joined = joined == null ? part.text() : join(joined, part.text());
          if (joined.length() > MAX_VALUE_CHARS) {
            return null;
          }
        }
        return new Value(joined, PATH_TYPES.contains(callee));
      }
      if (callee.endsWith("Path.home") || callee.equals("os.path.expanduser") && args.isEmpty()) {
        return new Value("~", true);
      }
      if (SAME_PATH.contains(callee) && args.size() == 1) {
        Value inner = evaluate(args.get(0));
        return inner == null ? null : new Value(inner.text(), false);
      }
    }
    if (function != null && function.is("attribute")) {
      Node object = function.field("object");
      Node attribute = function.field("attribute");
      if (object != null && attribute != null) {
        String method = attribute.text();
        if (method.equals("home")) {
          return new Value("~", true);
        }
        Value receiver = evaluate(object);
        if (receiver == null) {
          return null;
        }
        switch (method) {
          case "expanduser", "resolve", "absolute", "decode":
            return receiver;
          case "joinpath":
            {
              String joined = receiver.text();
              for (Node arg : args) {
                Value part = evaluate(arg);
                if (part == null) {
                  return null;
                }
                joined = join(joined, part.text());
                if (joined.length() > MAX_VALUE_CHARS) {
                  return null;
                }
              }
              return new Value(joined, true);
            }
          default:
            return null;
        }
      }
    }
    return null;
  }

  private static String join(String base, String part) {
    if (part.startsWith("/")) {
      return part;
    }
    return base.endsWith("/") ? base + part : base + "/" + part;
  }

  /** A string literal's value; f-strings only when every hole is a literal. */
  private String string(Node node) {
    String prefix = "";
    StringBuilder out = new StringBuilder();
    for (Node part : node.named()) {
      switch (part.type) {
        case "string_start" -> prefix = part.text().toLowerCase(java.util.Locale.ROOT);
        case "string_content" ->
            out.append(prefix.contains("r") ? part.text() : BackslashEscapes.unescape(part.text()));
        case "escape_sequence" ->
            out.append(prefix.contains("r") ? part.text() : BackslashEscapes.unescape(part.text()));
        case "interpolation" -> {
          Node expression = part.field("expression");
          Value value = expression == null ? null : evaluate(expression);
          if (value == null) {
            return null;
          }
          out.append(value.text());
          if (out.length() > MAX_VALUE_CHARS) {
            return null;
          }
        }
        case "string_end" -> {}
        default -> {
          return null;
        }
      }
    }
    return out.toString();
  }
}
