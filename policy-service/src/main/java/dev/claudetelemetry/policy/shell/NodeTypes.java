package dev.claudetelemetry.policy.shell;

import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSSymbolType;
import org.treesitter.TreeSitterBash;

/**
 * Node types by grammar symbol, read from the language once: {@code getType()} would build a new Java string
 * through JNI for every node, and {@code isNamed()} costs another round trip.
 */
final class NodeTypes {

    static final TSLanguage BASH = new TreeSitterBash();
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

    private NodeTypes() {}

    static String of(TSNode node) {
        return name(node, node.getSymbol());
    }

    /** The type of {@code node} whose symbol was already read. */
    static String name(TSNode node, int symbol) {
        return symbol >= 0 && symbol < NAMES.length ? NAMES[symbol] : node.getType();
    }

    /** Whether {@code node} (whose symbol was already read) is a named node rather than a literal token. */
    static boolean isNamed(TSNode node, int symbol) {
        return symbol >= 0 && symbol < NAMED.length ? NAMED[symbol] : node.isNamed();
    }
}
