package dev.claudetelemetry.policy.interpreters;

import dev.claudetelemetry.policy.interpreters.Syntax.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the readers of inline code parsed with a tree-sitter grammar share: every parse takes from
 * one {@link ReadBudget}, the walk over the tree, code handed to {@code exec}/{@code eval} read as
 * more of the same program, and the names and literal values the code has bound so far. A subclass
 * holds what its language says: which nodes import, bind or call something, and how a literal is
 * computed.
 *
 * @param <V> a literal value as the language's reader computes it
 */
abstract class TreeSitterCode<V> {

  /** A computed value longer than this is not followed: it counts as computed at run time. */
  static final int MAX_VALUE_CHARS = InterpreterCode.MAX_CODE_CHARS;

  /** Code evaluated this many levels deep (code that evals code that evals…) is not read. */
  private static final int MAX_DEPTH = 3;

  /** Local names of modules and functions, each as the dotted name it stands for. */
  final Map<String, String> aliases = new HashMap<>();

  /** Variables assigned a literal value. */
  final Map<String, V> variables = new HashMap<>();

  final List<Effect> effects;
  private final Syntax.Grammar grammar;
  private final int depth;
  private final ReadBudget budget;

  TreeSitterCode(Syntax.Grammar grammar, List<Effect> effects, int depth, ReadBudget budget) {
    this.grammar = grammar;
    this.effects = effects;
    this.depth = depth;
    this.budget = budget;
  }

  /**
   * A reader of the same language for code this one evaluates: it adds to the same effects and
   * takes from the same budget, but starts with no names of its own.
   */
  abstract TreeSitterCode<V> nested(List<Effect> effects, int depth, ReadBudget budget);

  /** Acts on one node of the tree; {@code false} when its children are not to be walked. */
  abstract boolean visit(Node node);

  /** The literal value of an expression, or {@code null} when it is computed at run time. */
  abstract V evaluateNode(Node node);

  /** The text of a literal value. */
  abstract String textOf(V value);

  /** Parses the code and walks its tree; a spent budget is one opaque effect instead. */
  final void read(String code) {
    if (!budget.take(code.length())) {
      effects.add(ReadBudget.spent());
      return;
    }
    walk(grammar.parse(code).root());
  }

  private void walk(Node node) {
    if (!visit(node)) {
      return;
    }
    for (Node child : node.named()) {
      walk(child);
    }
  }

  /**
   * The code an {@code exec}/{@code eval} call runs: a literal (not {@code null}) is read as more
   * of the program, anything else makes the call opaque.
   */
  final void evaluated(String callee, String code) {
    if (code == null) {
      opaque(callee, "code");
    } else if (depth < MAX_DEPTH) {
      nested(effects, depth + 1, budget).read(code);
    }
  }

  /**
   * The literal value of an expression, or {@code null} when it is computed at run time or longer
   * than {@link #MAX_VALUE_CHARS}: {@code c = c + c} doubles with every line.
   */
  final V evaluate(Node node) {
    V value = evaluateNode(node);
    return value == null || textOf(value).length() > MAX_VALUE_CHARS ? null : value;
  }

  /** The text of an expression's literal value, or {@code null} as for {@link #evaluate}. */
  final String literal(Node node) {
    V value = evaluate(node);
    return value == null ? null : textOf(value);
  }

  final void opaque(String callee, String what) {
    effects.add(Effect.opaque(callee + "() gets a " + what + " computed at run time"));
  }
}
