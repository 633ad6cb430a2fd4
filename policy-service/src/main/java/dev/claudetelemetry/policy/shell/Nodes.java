package dev.claudetelemetry.policy.shell;

import dev.claudetelemetry.treesitter.TreeSitterNatives;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSSymbolType;
import org.treesitter.TreeSitterBash;

/**
 * Reads tree-sitter nodes with one JNI round trip per question.
 *
 * <p>Each {@link TSNode} method first asks JNI whether the node is null, then asks its question,
 * and each round trip crosses JNI and copies the node between C and a Java object: two transitions
 * where one does. The binding's raw calls are protected statics of {@link TSParser}, reachable from
 * a subclass; this class is never instantiated. Node types come from a table built once per grammar
 * symbol instead of a new JNI string per node. Callers pass only non-null nodes: those of a parsed
 * tree and children below their counts.
 */
final class Nodes extends TSParser {

  static final TSLanguage BASH = TreeSitterNatives.load(TreeSitterBash::new);
  private static final String[] NAMES;
  private static final boolean[] NAMED;

  static {
    int count = BASH.symbolCount();
    NAMES = new String[count];
    NAMED = new boolean[count];
    for (int symbol = 0; symbol < count; symbol++) {
      NAMES[symbol] = BASH.symbolName(symbol).intern();
      NAMED[symbol] = BASH.symbolType(symbol) == TSSymbolType.TSSymbolTypeRegular;
    }
  }

  private Nodes() {
    throw new AssertionError("static helpers only");
  }

  static int symbol(TSNode node) {
    return ts_node_symbol(node);
  }

  static String type(TSNode node) {
    return type(node, symbol(node));
  }

  /** The type of {@code node} whose symbol was already read. */
  static String type(TSNode node, int symbol) {
    return symbol >= 0 && symbol < NAMES.length ? NAMES[symbol] : ts_node_type(node);
  }

  /**
   * Whether {@code node} (whose symbol was already read) is a named node rather than a literal
   * token.
   */
  static boolean isNamed(TSNode node, int symbol) {
    return symbol >= 0 && symbol < NAMED.length ? NAMED[symbol] : node.isNamed();
  }

  static int namedChildCount(TSNode node) {
    return ts_node_named_child_count(node);
  }

  static TSNode namedChild(TSNode node, int index) {
    return ts_node_named_child(node, index);
  }

  static int childCount(TSNode node) {
    return ts_node_child_count(node);
  }

  static TSNode child(TSNode node, int index) {
    return ts_node_child(node, index);
  }

  static int startByte(TSNode node) {
    return ts_node_start_byte(node);
  }

  static int endByte(TSNode node) {
    return ts_node_end_byte(node);
  }
}
