package dev.claudetelemetry.policy.interpreters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSSymbolType;
import org.treesitter.TSTree;

/**
 * A parsed piece of inline code, copied once into Java arrays.
 *
 * <p>Every question the binding answers about a {@link TSNode} is a JNI round trip that copies the
 * node's Java fields into C, and every node it returns is a new Java object filled from C: far more
 * than an array lookup each. The analyzers ask the same nodes the same questions many times over (a
 * callee's name while judging the call, again while evaluating its receiver, again while walking
 * into it), so the tree is read once, in one pass of a tree cursor whose moves cost no object (the
 * binding's raw natives are protected statics of {@link TSParser}, reachable from this subclass),
 * and every later question is an array lookup.
 */
final class Syntax extends TSParser {

  /** One grammar, its symbol and field names and a parser per thread (parsers are not shared). */
  static final class Grammar {
    final String[] names;
    final boolean[] named;
    private final Map<String, Integer> fields = new HashMap<>();
    private final ThreadLocal<TSParser> parsers;

    Grammar(TSLanguage language) {
      int count = language.symbolCount();
      names = new String[count];
      named = new boolean[count];
      for (int symbol = 0; symbol < count; symbol++) {
        names[symbol] = language.symbolName(symbol).intern();
        named[symbol] = language.symbolType(symbol) == TSSymbolType.TSSymbolTypeRegular;
      }
      for (int field = 1; field <= language.fieldCount(); field++) {
        String name = language.fieldNameForId(field);
        if (name != null) {
          fields.put(name, field);
        }
      }
      parsers =
          ThreadLocal.withInitial(
              () -> {
                TSParser parser = new TSParser();
                parser.setLanguage(language);
                return parser;
              });
    }

    /** The grammar's id of a field name, or 0 (no field) for a name the grammar does not have. */
    int field(String name) {
      return fields.getOrDefault(name, 0);
    }

    Tree parse(String code) {
      byte[] bytes = code.getBytes(StandardCharsets.UTF_8);
      TSTree tree = parsers.get().parseString(null, code);
      try {
        return new Tree(this, tree, bytes);
      } finally {
        tree.close();
      }
    }
  }

  /**
   * A syntax tree as arrays indexed by node, in pre-order (the root is 0): its grammar symbol, byte
   * range, the field it fills in its parent (0 for none), its parent, first child and next sibling
   * (-1 for none). Anonymous tokens such as {@code (} are nodes too, as in tree-sitter.
   */
  static final class Tree {
    final Grammar grammar;
    final byte[] bytes;
    int count;
    int[] symbol = new int[64];
    int[] start = new int[64];
    int[] end = new int[64];
    int[] field = new int[64];
    int[] firstChild = new int[64];
    int[] nextSibling = new int[64];

    Tree(Grammar grammar, TSTree parsed, byte[] bytes) {
      this.grammar = grammar;
      this.bytes = bytes;
      TSNode root = parsed.getRootNode();
      long cursor = ts_tree_cursor_new(root);
      try {
        copy(cursor);
      } finally {
        ts_tree_cursor_delete(cursor);
        free_cursor(cursor);
      }
    }

    /** Pre-order over the cursor; {@code previous[depth]} is the last node copied at that depth. */
    private void copy(long cursor) {
      int[] parents = new int[16];
      int[] previous = new int[16];
      int depth = 0;
      parents[0] = -1;
      previous[0] = -1;
      while (true) {
        int node =
            add(ts_tree_cursor_current_node(cursor), ts_tree_cursor_current_field_id(cursor));
        if (previous[depth] >= 0) {
          nextSibling[previous[depth]] = node;
        } else if (parents[depth] >= 0) {
          firstChild[parents[depth]] = node;
        }
        previous[depth] = node;
        if (ts_tree_cursor_goto_first_child(cursor)) {
          depth++;
          if (depth == parents.length) {
            parents = Arrays.copyOf(parents, depth * 2);
            previous = Arrays.copyOf(previous, depth * 2);
          }
          parents[depth] = node;
          previous[depth] = -1;
          continue;
        }
        while (!ts_tree_cursor_goto_next_sibling(cursor)) {
          if (depth == 0 || !ts_tree_cursor_goto_parent(cursor)) {
            return;
          }
          depth--;
        }
      }
    }

    private int add(TSNode node, int fieldId) {
      if (count == symbol.length) {
        int size = count * 2;
        symbol = Arrays.copyOf(symbol, size);
        start = Arrays.copyOf(start, size);
        end = Arrays.copyOf(end, size);
        field = Arrays.copyOf(field, size);
        firstChild = Arrays.copyOf(firstChild, size);
        nextSibling = Arrays.copyOf(nextSibling, size);
      }
      int index = count++;
      symbol[index] = ts_node_symbol(node);
      start[index] = ts_node_start_byte(node);
      end[index] = ts_node_end_byte(node);
      field[index] = fieldId;
      firstChild[index] = -1;
      nextSibling[index] = -1;
      return index;
    }

    Node root() {
      return new Node(this, 0);
    }
  }

  /** A node of a {@link Tree}. */
  static final class Node {
    final Tree tree;
    final int index;
    final String type;

    Node(Tree tree, int index) {
      this.tree = tree;
      this.index = index;
      int symbol = tree.symbol[index];
      String[] names = tree.grammar.names;
      this.type = symbol >= 0 && symbol < names.length ? names[symbol] : "ERROR";
    }

    boolean is(String... types) {
      for (String t : types) {
        if (t.equals(type)) {
          return true;
        }
      }
      return false;
    }

    /** The named children: no tokens such as {@code (}. */
    List<Node> named() {
      List<Node> out = new ArrayList<>();
      boolean[] named = tree.grammar.named;
      for (int c = tree.firstChild[index]; c >= 0; c = tree.nextSibling[c]) {
        int symbol = tree.symbol[c];
        if (symbol < 0 || symbol >= named.length || named[symbol]) {
          out.add(new Node(tree, c));
        }
      }
      return out;
    }

    /** All children, tokens such as {@code +} included. */
    List<Node> all() {
      List<Node> out = new ArrayList<>();
      for (int c = tree.firstChild[index]; c >= 0; c = tree.nextSibling[c]) {
        out.add(new Node(tree, c));
      }
      return out;
    }

    /** The first child filling the grammar field {@code name}, or {@code null}. */
    Node field(String name) {
      int id = tree.grammar.field(name);
      if (id == 0) {
        return null;
      }
      for (int c = tree.firstChild[index]; c >= 0; c = tree.nextSibling[c]) {
        if (tree.field[c] == id) {
          return new Node(tree, c);
        }
      }
      return null;
    }

    int startByte() {
      return tree.start[index];
    }

    int endByte() {
      return tree.end[index];
    }

    String text() {
      int start = Math.max(0, tree.start[index]);
      int end = Math.min(tree.bytes.length, tree.end[index]);
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
