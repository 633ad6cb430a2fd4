package dev.claudetelemetry.policy.shell;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
    Walk walk = new Walk();
    walk.parse(commandLine, new Scope(cwd), 0, List.of());
    return new ShellAnalysis(walk.commands, walk.problem);
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

  /** The directory a list of commands runs in; {@code cd} changes it for the commands after it. */
  private static final class Scope {
    String cwd;

    Scope(String cwd) {
      this.cwd = cwd;
    }

    Scope copy() {
      return new Scope(cwd);
    }
  }

  /** Where a command's input and redirections come from, handed down the tree. */
  private record Context(Scope scope, List<Redirect> redirects, List<String> upstream, int depth) {

    Context withRedirects(List<Redirect> more) {
      List<Redirect> all = new ArrayList<>(redirects);
      all.addAll(more);
      return new Context(scope, all, upstream, depth);
    }

    Context withUpstream(List<String> names) {
      return new Context(scope, redirects, names, depth);
    }

    Context isolated() {
      return new Context(scope.copy(), List.of(), List.of(), depth);
    }
  }

  private final class Walk {
    final List<ShellCommand> commands = new ArrayList<>();
    String problem;

    void fail(String reason) {
      if (problem == null) {
        problem = reason;
      }
    }

    void parse(String raw, Scope scope, int depth, List<String> upstream) {
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
      if (parseWithTreeSitter || !PlainCommand.isPlain(source)) {
        parseTree(source, bytes, scope, depth, upstream);
      } else {
        // Nothing the shell would interpret: its words are its argv, no parser needed.
        emit(
            PlainCommand.words(source),
            List.of(),
            List.of(),
            new Context(scope, List.of(), upstream, depth));
      }
    }

    void parseTree(String source, byte[] bytes, Scope scope, int depth, List<String> upstream) {
      // tree-sitter-bash 0.23.3 recovers from an error state when the input ends right after a
      // pipeline of
      // three or more stages (a | b | c: ~130 us instead of ~15 us, and more per stage). A trailing
      // newline,
      // which the shell reads as the same command's terminator, avoids that path and gives the same
      // tree
      // (checked over the whole corpus, see BashAnalyzerTest).
      boolean terminated = source.endsWith("\n");
      String parsed = terminated ? source : source + "\n";
      byte[] parsedBytes = terminated ? bytes : Arrays.copyOf(bytes, bytes.length + 1);
      parsedBytes[parsedBytes.length - 1] = '\n';
      TSTree tree = PARSERS.get().parseString(null, parsed);
      try {
        TSNode root = tree.getRootNode();
        if (root.hasError()) {
          fail(
              depth == 0
                  ? "the command is not valid shell syntax"
                  : "a nested shell string is not valid shell syntax");
        }
        new NodeVisitor(new Words(parsedBytes))
            .visit(root, new Context(scope, List.of(), upstream, depth));
      } finally {
        tree.close();
      }
    }

    void emit(
        List<String> argv, List<Redirect> redirects, List<String> substitutions, Context context) {
      Optional<Unwrapping> unwrapped = Wrappers.unwrap(argv);
      List<String> own = argv;
      if (unwrapped.isPresent() && unwrapped.get() instanceof Unwrapping.Command inner) {
        own = argv.subList(0, inner.wrapperLength());
      }
      ShellCommand command =
          new ShellCommand(
              own,
              redirects,
              context.scope().cwd,
              context.upstream(),
              substitutions,
              context.depth());
      commands.add(command);
      if (command.name().equals("cd") || command.name().equals("pushd")) {
        changeDirectory(command, context.scope());
      }
      if (unwrapped.isEmpty()) {
        return;
      }
      Unwrapping what = unwrapped.get();
      if (what instanceof Unwrapping.Command inner) {
        emit(inner.argv(), redirects, substitutions, context);
      } else if (what instanceof Unwrapping.Commands several) {
        several.argvs().forEach(argvOfOne -> emit(argvOfOne, redirects, substitutions, context));
      } else if (what instanceof Unwrapping.Script script) {
        parseNested(script.source(), redirects, substitutions, context);
      }
    }

    void parseNested(
        String source, List<Redirect> redirects, List<String> substitutions, Context context) {
      if (context.depth() + 1 > maxDepth) {
        fail("shell strings are nested deeper than " + maxDepth + " levels");
        return;
      }
      int before = commands.size();
      parse(source, context.scope(), context.depth() + 1, context.upstream());
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
     * fields up again (the walk used to cost more than the parse), so each node's type and child
     * count are read once and handed down.
     */
    private final class NodeVisitor {
      private final Words words;

      NodeVisitor(Words words) {
        this.words = words;
      }

      void visit(TSNode node, Context context) {
        visit(node, Nodes.type(node), context);
      }

      void visit(TSNode node, String type, Context context) {
        switch (type) {
          case "command" -> command(node, context);
          case "redirected_statement" -> redirected(node, context);
          case "pipeline" -> pipeline(node, context);
          case "subshell", "command_substitution", "process_substitution" ->
              children(node, context.isolated());
          default -> children(node, context);
        }
      }

      void children(TSNode node, Context context) {
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          visit(Nodes.namedChild(node, i), context);
        }
      }

      void pipeline(TSNode node, Context context) {
        List<String> upstream = new ArrayList<>(context.upstream());
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          int before = commands.size();
          visit(Nodes.namedChild(node, i), context.withUpstream(List.copyOf(upstream)));
          for (ShellCommand stage : commands.subList(before, commands.size())) {
            upstream.add(stage.name());
          }
        }
      }

      void redirected(TSNode node, Context context) {
        List<Redirect> redirects = new ArrayList<>();
        List<String> trailing = new ArrayList<>();
        TSNode body = null;
        String bodyType = null;
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          // The grammar's "redirect" field holds only *_redirect nodes; anything else is the
          // "body".
          if (type.endsWith("_redirect")) {
            collectRedirects(child, type, redirects, trailing, context);
          } else if (body == null) {
            body = child;
            bodyType = type;
          } else {
            visitSubstitutions(child, type, context);
          }
        }
        if (body != null && bodyType.equals("command") && !trailing.isEmpty()) {
          command(body, context.withRedirects(redirects), trailing);
        } else if (body != null) {
          visit(body, bodyType, context.withRedirects(redirects));
        } else if (!redirects.isEmpty()) {
          // A bare redirection ("> file") still truncates the file.
          commands.add(
              new ShellCommand(
                  List.of(),
                  redirects,
                  context.scope().cwd,
                  context.upstream(),
                  List.of(),
                  context.depth()));
        }
      }

      void collectRedirects(TSNode node, String type, List<Redirect> into, Context context) {
        collectRedirects(node, type, into, null, context);
      }

      /**
       * @param argv where words that follow a redirection's target go ({@code rm -rf 2>/dev/null
       *     /}: tree-sitter-bash puts {@code /} inside the redirect, bash passes it to rm); {@code
       *     null} outside a simple command
       */
      void collectRedirects(
          TSNode node, String type, List<Redirect> into, List<String> argv, Context context) {
        switch (type) {
          case "file_redirect" -> {
            String operator = "";
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
                continue;
              } else if (destination == null) {
                destination = child;
                destinationType = childType;
              } else if (argv != null) {
                argv.add(words.value(child, childType));
                visitSubstitutions(child, childType, context);
              } else {
                visitSubstitutions(child, childType, context);
              }
            }
            if (destination != null) {
              String target = words.value(destination, destinationType);
              boolean duplicatesDescriptor =
                  operator.endsWith("&") && DESCRIPTOR.matcher(target).matches();
              if (!duplicatesDescriptor) {
                into.add(
                    new Redirect(
                        operator, target, !operator.startsWith("<") || operator.equals("<>")));
              }
              visitSubstitutions(destination, destinationType, context);
            }
          }
          case "heredoc_redirect", "herestring_redirect" -> {
            int count = Nodes.namedChildCount(node);
            for (int i = 0; i < count; i++) {
              TSNode child = Nodes.namedChild(node, i);
              collectRedirects(child, Nodes.type(child), into, context);
            }
          }
          default -> visitSubstitutions(node, type, context);
        }
      }

      /** Judges the commands inside substitutions below {@code node}; returns their names. */
      List<String> visitSubstitutions(TSNode node, String type, Context context) {
        if (LEAVES.contains(type)) {
          return List.of();
        }
        List<String> names = new ArrayList<>();
        if (type.equals("command_substitution") || type.equals("process_substitution")) {
          int before = commands.size();
          children(node, context.isolated());
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
        List<Redirect> redirects = new ArrayList<>(context.redirects());
        // Children are told apart by type, not field name: one JNI call fewer per word.
        int count = Nodes.namedChildCount(node);
        for (int i = 0; i < count; i++) {
          TSNode child = Nodes.namedChild(node, i);
          String type = Nodes.type(child);
          if (type.equals("command_name")) {
            // command_name wraps exactly one word-like node (or is empty in broken input).
            TSNode word = Nodes.namedChildCount(child) > 0 ? Nodes.namedChild(child, 0) : child;
            String wordType = word == child ? type : Nodes.type(word);
            argv.add(words.value(word, wordType));
            substitutions.addAll(visitSubstitutions(word, wordType, context));
          } else if (type.endsWith("_redirect")) {
            collectRedirects(child, type, redirects, argv, context);
          } else if (type.equals("variable_assignment") && argv.isEmpty()) {
            // Leading "VAR=value" assignments: only their substitutions run.
            substitutions.addAll(visitSubstitutions(child, type, context));
          } else {
            argv.add(words.value(child, type));
            substitutions.addAll(visitSubstitutions(child, type, context));
          }
        }
        argv.addAll(trailing);
        if (!argv.isEmpty()) {
          emit(argv, redirects, substitutions, context);
        }
      }
    }
  }
}
