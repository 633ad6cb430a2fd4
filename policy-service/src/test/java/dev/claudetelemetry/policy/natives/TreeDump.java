package dev.claudetelemetry.policy.natives;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TreeSitterBash;
import org.treesitter.TreeSitterJavascript;
import org.treesitter.TreeSitterPython;

/**
 * Prints each grammar's tables and the syntax tree of every text of the corpus in all three
 * grammars, with the natives of tree-sitter-natives ({@code ours}) or those of the tree-sitter-ng
 * jars ({@code jar}): {@link OptimisedNativesTest} runs it once per kind, in a JVM of its own each
 * (a JVM loads one library per JNI class), and compares the outputs.
 */
public final class TreeDump {

  private TreeDump() {}

  public static void main(String[] args) throws IOException {
    boolean ours = args[0].equals("ours");
    List<String> texts = corpusTexts(Path.of(args[1]));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    List<Supplier<TSLanguage>> grammars =
        List.of(TreeSitterBash::new, TreeSitterPython::new, TreeSitterJavascript::new);
    for (Supplier<TSLanguage> grammar : grammars) {
      TSLanguage language = ours ? TreeSitterNatives.load(grammar) : grammar.get();
      out.printf(
          "%s abi=%d symbols=%d fields=%d states=%d%n",
          language.getClass().getSimpleName(),
          language.abiVersion(),
          language.symbolCount(),
          language.fieldCount(),
          language.stateCount());
      for (int symbol = 0; symbol < language.symbolCount(); symbol++) {
        out.printf(
            "symbol %d %s %s%n", symbol, language.symbolName(symbol), language.symbolType(symbol));
      }
      for (int field = 1; field <= language.fieldCount(); field++) {
        out.printf("field %d %s%n", field, language.fieldNameForId(field));
      }
      try (TSParser parser = new TSParser()) {
        parser.setLanguage(language);
        for (String text : texts) {
          TSNode root = parser.parseString(null, text).getRootNode();
          out.println(root);
          StringBuilder positions = new StringBuilder();
          positions(root, positions);
          out.println(positions);
        }
      }
    }
    out.printf("texts=%d%n", texts.size());
    out.printf("loaded=%s%n", ours ? TreeSitterNatives.verifyLoaded() : "jar");
    out.flush();
  }

  /** Every node's byte range, in pre-order: the analysis reads the source text by these. */
  private static void positions(TSNode node, StringBuilder out) {
    out.append(node.getStartByte()).append('-').append(node.getEndByte()).append(' ');
    for (int child = 0; child < node.getChildCount(); child++) {
      positions(node.getChild(child), out);
    }
  }

  /** Every text value of the corpus's cases (commands, file contents, tool inputs). */
  static List<String> corpusTexts(Path corpus) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.list(corpus)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        collect(yaml.readTree(file.toFile()).path("cases"), texts);
      }
    }
    return texts;
  }

  private static void collect(JsonNode node, List<String> texts) {
    if (node.isTextual()) {
      texts.add(node.asText());
    }
    node.forEach(child -> collect(child, texts));
  }
}
