package dev.claudetelemetry.policy.interpreters;

import dev.claudetelemetry.policy.interpreters.Effect.Kind;
import dev.claudetelemetry.policy.interpreters.Syntax.Node;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.util.ArrayList;
import java.util.List;
import org.treesitter.TreeSitterJavascript;

/**
 * Reads inline JavaScript (node, deno, bun) with tree-sitter-javascript and lists the calls that
 * delete, write, read or run something, with their literal arguments. {@code require}, {@code
 * import} and destructuring ({@code const {execSync: x} = require('child_process')}) are followed;
 * paths built from literals ({@code path.join}, {@code os.homedir()}, {@code process.env.HOME},
 * template strings whose holes are literals) are computed.
 */
final class JavaScriptCode extends TreeSitterCode<String> {

  static final Syntax.Grammar GRAMMAR =
      new Syntax.Grammar(TreeSitterNatives.load(TreeSitterJavascript::new));

  /**
   * A word in the name of every call this reader acts on (the callees of {@link #call}); see {@link
   * InterpreterCode#mayAct}. A name added there needs its word here: the prefilter test finds one
   * that is missing.
   */
  static final List<String> CALL_WORDS =
      List.of(
          "rm",
          "unlink",
          "remove",
          "write",
          "Write",
          "append",
          "truncate",
          "read",
          "Read",
          "open",
          "file",
          "copy",
          "cp",
          "rename",
          "exec",
          "spawn",
          "Command",
          "eval",
          "Function");

  private JavaScriptCode(List<Effect> effects, int depth, ReadBudget budget) {
    super(GRAMMAR, effects, depth, budget);
  }

  static void analyze(String code, List<Effect> into, int depth) {
    new JavaScriptCode(into, depth, new ReadBudget()).read(code);
  }

  @Override
  JavaScriptCode nested(List<Effect> effects, int depth, ReadBudget budget) {
    return new JavaScriptCode(effects, depth, budget);
  }

  @Override
  boolean visit(Node node) {
    switch (node.type) {
      case "variable_declarator" -> declare(node.field("name"), node.field("value"));
      case "assignment_expression" -> declare(node.field("left"), node.field("right"));
      case "import_statement" -> imports(node);
      case "call_expression" -> call(node, false);
      case "new_expression" -> call(node, true);
      default -> {}
    }
    return true;
  }

  private static String module(String name) {
    String plain = name.startsWith("node:") ? name.substring("node:".length()) : name;
    int slash = plain.indexOf('/');
    return slash > 0 ? plain.substring(0, slash) : plain;
  }

  private void declare(Node name, Node value) {
    if (name == null || value == null) {
      return;
    }
    String module = moduleOf(value);
    if (name.is("identifier")) {
      String literal = evaluate(value);
      if (literal != null) {
        variables.put(name.text(), literal);
      } else {
        variables.remove(name.text());
      }
      String alias = module != null ? module : qualified(value);
      if (alias != null && literal == null) {
        aliases.put(name.text(), alias);
      }
    } else if (name.is("object_pattern") && module != null) {
      for (Node property : name.named()) {
        if (property.is("shorthand_property_identifier_pattern")) {
          aliases.put(property.text(), module + "." + property.text());
        } else if (property.is("pair_pattern")) {
          Node key = property.field("key");
          Node local = property.field("value");
          if (key != null && local != null && local.is("identifier")) {
            aliases.put(local.text(), module + "." + key.text());
          }
        }
      }
    }
  }

  private void imports(Node node) {
    Node source = node.field("source");
    String module = source == null ? null : evaluate(source);
    if (module == null) {
      return;
    }
    module = module(module);
    for (Node clause : node.named()) {
      if (!clause.is("import_clause")) {
        continue;
      }
      for (Node part : clause.named()) {
        if (part.is("identifier")) {
          aliases.put(part.text(), module);
        } else if (part.is("namespace_import")) {
          for (Node id : part.named()) {
            aliases.put(id.text(), module);
          }
        } else if (part.is("named_imports")) {
          for (Node specifier : part.named()) {
            Node imported = specifier.field("name");
            Node alias = specifier.field("alias");
            if (imported != null) {
              aliases.put(
                  (alias != null ? alias : imported).text(), module + "." + imported.text());
            }
          }
        }
      }
    }
  }

  /** {@code require('fs')}, {@code require('node:fs/promises')}. */
  private String moduleOf(Node node) {
    if (node.is("await_expression")) {
      List<Node> inner = node.named();
      return inner.size() == 1 ? moduleOf(inner.get(0)) : null;
    }
    if (!node.is("call_expression")) {
      return null;
    }
    Node function = node.field("function");
    if (function == null || !(function.text().equals("require") || function.is("import"))) {
      return null;
    }
    List<Node> args = arguments(node);
    String name = args.isEmpty() ? null : evaluate(args.get(0));
    return name == null ? null : module(name);
  }

  /** The dotted name a callee stands for, aliases resolved; {@code null} if not a plain name. */
  private String qualified(Node node) {
    if (node == null) {
      return null;
    }
    if (node.is("identifier")) {
      return aliases.getOrDefault(node.text(), node.text());
    }
    if (node.is("member_expression")) {
      Node object = node.field("object");
      Node property = node.field("property");
      if (object == null || property == null) {
        return null;
      }
      String base =
          object.is("call_expression", "await_expression") ? moduleOf(object) : qualified(object);
      return base == null ? null : base + "." + property.text();
    }
    if (node.is("parenthesized_expression")) {
      List<Node> inner = node.named();
      return inner.size() == 1 ? qualified(inner.get(0)) : null;
    }
    return null;
  }

  private static List<Node> arguments(Node call) {
    Node arguments = call.field("arguments");
    List<Node> out = new ArrayList<>();
    if (arguments != null && arguments.is("arguments")) {
      for (Node argument : arguments.named()) {
        if (!argument.is("comment")) {
          out.add(argument);
        }
      }
    }
    return out;
  }

  private void call(Node node, boolean constructor) {
    Node function = node.field(constructor ? "constructor" : "function");
    String callee = qualified(function);
    if (callee == null) {
      return;
    }
    callee = callee.replace(".promises.", ".");
    List<Node> args = arguments(node);
    switch (callee) {
      case "fs.rmSync", "fs.rm" ->
          path(recursive(args) ? Kind.DELETE_TREE : Kind.DELETE, callee, args, 0);
      case "fs.rmdirSync", "fs.rmdir" ->
          path(recursive(args) ? Kind.DELETE_TREE : Kind.REMOVE_DIRECTORY, callee, args, 0);
      case "fs.unlinkSync", "fs.unlink", "Deno.removeSync", "Deno.remove" ->
          path(
              callee.startsWith("Deno") && recursive(args) ? Kind.DELETE_TREE : Kind.DELETE,
              callee,
              args,
              0);
      case "fs.writeFileSync",
          "fs.writeFile",
          "fs.appendFileSync",
          "fs.appendFile",
          "fs.createWriteStream",
          "fs.truncateSync",
          "fs.truncate",
          "Deno.writeTextFileSync",
          "Deno.writeTextFile",
          "Deno.writeFileSync",
          "Deno.writeFile",
          "Bun.write" ->
          path(Kind.WRITE, callee, args, 0);
      case "fs.readFileSync",
          "fs.readFile",
          "fs.createReadStream",
          "fs.openSync",
          "fs.open",
          "Deno.readTextFileSync",
          "Deno.readTextFile",
          "Deno.readFileSync",
          "Deno.readFile",
          "Bun.file" ->
          path(Kind.READ, callee, args, 0);
      case "fs.copyFileSync", "fs.copyFile", "fs.cpSync", "fs.cp" -> {
        path(Kind.READ, callee, args, 0);
        path(Kind.WRITE, callee, args, 1);
      }
      case "fs.renameSync", "fs.rename" -> {
        path(Kind.DELETE, callee, args, 0);
        path(Kind.WRITE, callee, args, 1);
      }
      case "child_process.execSync", "child_process.exec" -> shell(callee, args);
      case "child_process.spawn",
          "child_process.spawnSync",
          "child_process.execFile",
          "child_process.execFileSync" ->
          spawn(callee, args);
      case "Bun.spawn", "Bun.spawnSync" -> argvList(callee, args.isEmpty() ? null : args.get(0));
      case "Deno.Command" -> denoCommand(callee, args);
      case "eval", "Function" -> {
        if (!args.isEmpty()) {
          evaluated(callee, evaluate(args.get(args.size() - 1)));
        }
      }
      default -> {}
    }
  }

  private static boolean recursive(List<Node> args) {
    for (int i = 1; i < args.size(); i++) {
      String options = args.get(i).text().replace(" ", "");
      if (args.get(i).is("object") && options.matches("(?s).*recursive:(true|!0|1).*")) {
        return true;
      }
    }
    return false;
  }

  private void path(Kind kind, String callee, List<Node> args, int index) {
    if (index >= args.size()) {
      return;
    }
    String value = evaluate(args.get(index));
    if (value != null) {
      effects.add(Effect.onPath(kind, value));
    } else if (!args.get(index).text().startsWith("process.argv")) {
      opaque(callee, "path");
    }
  }

  private void shell(String callee, List<Node> args) {
    if (args.isEmpty()) {
      return;
    }
    String command = evaluate(args.get(0));
    if (command == null) {
      opaque(callee, "command");
    } else {
      effects.add(Effect.shell(command));
    }
  }

  /** spawn(cmd, [args], {shell: true}): an argv, or a command line when a shell runs it. */
  private void spawn(String callee, List<Node> args) {
    if (args.isEmpty()) {
      return;
    }
    String command = evaluate(args.get(0));
    if (command == null) {
      opaque(callee, "command");
      return;
    }
    List<String> argv = new ArrayList<>();
    argv.add(command);
    boolean shell = false;
    for (int i = 1; i < args.size(); i++) {
      Node arg = args.get(i);
      if (arg.is("array")) {
        List<String> rest = literalArray(arg);
        if (rest == null) {
          opaque(callee, "argument");
          return;
        }
        argv.addAll(rest);
      } else if (arg.is("object")) {
        shell |= arg.text().replace(" ", "").matches("(?s).*shell:(true|!0|1|['\"`].*).*");
      }
    }
    if (shell || argv.size() == 1) {
      effects.add(Effect.shell(String.join(" ", argv)));
    } else {
      effects.add(Effect.exec(argv));
    }
  }

  private void denoCommand(String callee, List<Node> args) {
    if (args.isEmpty()) {
      return;
    }
    String command = evaluate(args.get(0));
    if (command == null) {
      opaque(callee, "command");
      return;
    }
    List<String> argv = new ArrayList<>(List.of(command));
    if (args.size() > 1 && args.get(1).is("object")) {
      for (Node pair : args.get(1).named()) {
        Node key = pair.field("key");
        Node value = pair.field("value");
        if (key != null && key.text().equals("args") && value != null) {
          List<String> rest = literalArray(value);
          if (rest == null) {
            opaque(callee, "argument");
            return;
          }
          argv.addAll(rest);
        }
      }
    }
    effects.add(Effect.exec(argv));
  }

  private void argvList(String callee, Node list) {
    if (list == null) {
      return;
    }
    List<String> argv = literalArray(list);
    if (argv == null) {
      opaque(callee, "command");
    } else if (!argv.isEmpty()) {
      effects.add(Effect.exec(argv));
    }
  }

  private List<String> literalArray(Node array) {
    if (!array.is("array")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Node item : array.named()) {
      if (item.is("comment")) {
        continue;
      }
      String value = evaluate(item);
      if (value == null) {
        return null;
      }
      out.add(value);
    }
    return out;
  }

  @Override
  String textOf(String value) {
    return value;
  }

  @Override
  String evaluateNode(Node node) {
    switch (node.type) {
      case "string":
        {
          String text = node.text();
          return text.length() >= 2
              ? BackslashEscapes.unescape(text.substring(1, text.length() - 1))
              : null;
        }
      case "template_string":
        {
          StringBuilder out = new StringBuilder();
          for (Node part : node.all()) {
            switch (part.type) {
              case "string_fragment" -> out.append(part.text());
              case "escape_sequence" -> out.append(BackslashEscapes.unescape(part.text()));
              case "template_substitution" -> {
                List<Node> inner = part.named();
                String value = inner.size() == 1 ? evaluate(inner.get(0)) : null;
                if (value == null) {
                  return null;
                }
                out.append(value);
                if (out.length() > MAX_VALUE_CHARS) {
                  return null;
                }
              }
              default -> {}
            }
          }
          return out.toString();
        }
      case "parenthesized_expression":
        {
          List<Node> inner = node.named();
          return inner.size() == 1 ? evaluate(inner.get(0)) : null;
        }
      case "identifier":
        return variables.get(node.text());
      case "binary_expression":
        {
          Node left = node.field("left");
          Node right = node.field("right");
          Node operator = node.field("operator");
          if (left == null || right == null || operator == null || !operator.text().equals("+")) {
            return null;
          }
          String a = evaluate(left);
          String b = a == null ? null : evaluate(right);
          return b == null ? null : a + b;
        }
      case "member_expression":
        {
          String name = node.text().replace(" ", "");
          return name.equals("process.env.HOME")
                  || name.equals("process.env['HOME']")
                  || name.equals("process.env[\"HOME\"]")
              ? "~"
              : null;
        }
      case "subscript_expression":
        return node.text().replace(" ", "").matches("process\\.env\\[['\"]HOME['\"]\\]")
            ? "~"
            : null;
      case "call_expression":
        return evaluateCall(node);
      default:
        return null;
    }
  }

  private String evaluateCall(Node node) {
    String callee = qualified(node.field("function"));
    if (callee == null) {
      return null;
    }
    List<Node> args = arguments(node);
    switch (callee) {
      case "os.homedir", "Deno.homeDir":
        return "~";
      case "path.join", "path.resolve", "path.normalize", "path.posix.join", "String":
        {
          String joined = null;
          for (Node arg : args) {
            String part = evaluate(arg);
            if (part == null) {
              return null;
            }
            joined =
                joined == null
                    ? part
                    : part.startsWith("/") && !callee.endsWith("join")
                        ? part
                        : joined.endsWith("/") ? joined + part : joined + "/" + part;
            if (joined.length() > MAX_VALUE_CHARS) {
              return null;
            }
          }
          return joined;
        }
      default:
        return null;
    }
  }
}
