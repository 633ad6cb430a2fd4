package dev.claudetelemetry.policy.interpreters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSSymbolType;
import org.treesitter.TSTree;

/**
 * A parsed piece of inline code. Node questions go through the binding's raw natives (protected
 * statics of {@link TSParser}), one JNI round trip each, and node types come from a table built
 * once per grammar: the same reasons as the shell analyzer's {@code Nodes}.
 */
final class Syntax extends TSParser {

  /** One grammar, its symbol names and a parser per thread (parsers are not thread-safe). */
  static final class Grammar {
    final String[] names;
    final boolean[] named;
    private final ThreadLocal<TSParser> parsers;

    Grammar(TSLanguage language) {
      int count = language.symbolCount();
      names = new String[count];
      named = new boolean[count];
      for (int symbol = 0; symbol < count; symbol++) {
        names[symbol] = language.symbolName(symbol).intern();
        named[symbol] = language.symbolType(symbol) == TSSymbolType.TSSymbolTypeRegular;
      }
      parsers =
          ThreadLocal.withInitial(
              () -> {
                TSParser parser = new TSParser();
                parser.setLanguage(language);
                return parser;
              });
    }

    Tree parse(String code) {
      byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
      return new Tree(this, parsers.get().parseString(null, code), bytes);
    }
  }

  /** A syntax tree and the bytes it was parsed from; close it when done. */
  static final class Tree implements AutoCloseable {
    final Grammar grammar;
    final TSTree tree;
    final byte[] bytes;

    Tree(Grammar grammar, TSTree tree, byte[] bytes) {
      this.grammar = grammar;
      this.tree = tree;
      this.bytes = bytes;
    }

    Node root() {
      return new Node(this, tree.getRootNode());
    }

    @Override
    public void close() {
      tree.close();
    }
  }

  /** A node of a {@link Tree}. */
  static final class Node {
    final Tree tree;
    final TSNode ts;
    final String type;

    Node(Tree tree, TSNode ts) {
      this.tree = tree;
      this.ts = ts;
      int symbol = ts_node_symbol(ts);
      String[] names = tree.grammar.names;
      this.type = symbol >= 0 && symbol < names.length ? names[symbol] : ts_node_type(ts);
    }

    boolean is(String... types) {
      for (String t : types) {
        if (t.equals(type)) {
          return true;
        }
      }
      return false;
    }

    List<Node> named() {
      int count = ts_node_named_child_count(ts);
      List<Node> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(new Node(tree, ts_node_named_child(ts, i)));
      }
      return out;
    }

    /** All children, tokens such as {@code +} included. */
    List<Node> all() {
      int count = ts_node_child_count(ts);
      List<Node> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(new Node(tree, ts_node_child(ts, i)));
      }
      return out;
    }

    Node field(String name) {
      TSNode child = ts.getChildByFieldName(name);
      return child == null || child.isNull() ? null : new Node(tree, child);
    }

    String text() {
      int start = Math.max(0, ts_node_start_byte(ts));
      int end = Math.min(tree.bytes.length, ts_node_end_byte(ts));
      return end > start ? new String(tree.bytes, start, end - start, StandardCharsets.UTF_8) : "";
    }

    @Override
    public String toString() {
      return type + ":" + text();
    }
  }

  private Syntax() {
    throw new AssertionError("static helpers only");
  }
}
