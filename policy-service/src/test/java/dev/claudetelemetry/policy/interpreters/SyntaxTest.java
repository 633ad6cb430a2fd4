package dev.claudetelemetry.policy.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.treesitter.TSLanguage;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TreeSitterJavascript;
import org.treesitter.TreeSitterPython;

/**
 * The tree copied into arrays answers every question the analyzers ask (type, text, named and all
 * children, each grammar field) exactly as the binding's own {@link TSNode} does, on well-formed
 * code and on random mutations of it (error nodes, missing tokens).
 */
class SyntaxTest {

  private static final List<String> PYTHON =
      List.of(
          "import pathlib; print(pathlib.Path.home().joinpath('.ssh', 'id_rsa').read_text())",
          "from shutil import rmtree as r; r(f'/x/{\"y\"}')\nx = [1, 2]; x.remove(1)",
          "import os; p=os.path.join(os.environ['HOME'], '.ssh/id_ed25519'); print(open(p).read())",
          "import subprocess as s; s.run(['rm', '-rf', '/'], shell=True); exec(\"os.system('x')\")",
          "def f(a, *b, c=1, **d):\n  return a if b else (lambda: c)()\nclass K(object): pass\n",
          "with open('/f', mode='a+') as h: h.write(b'\\x00' + r'\\n')  # comment");
  private static final List<String> JAVASCRIPT =
      List.of(
          "const os=require('os'); console.log(require('fs').readFileSync(`${os.homedir()}/.ssh/id_rsa`, 'utf8'))",
          "const {execSync: x} = require('child_process'); x(`rm -rf ${require('os').homedir()}`);",
          "import fs from 'node:fs'; fs.rmSync(path.join('/a', 'b'), {recursive: true}); eval('1')",
          "import('fs').then(f => f.rmSync(process.argv[1], {recursive: true}))",
          "class A extends B { #p = 1; async *m() { for await (const x of y) yield x?.z ?? 2; } }",
          "let a = /re[g]/gi, b = a + 1 - -1; new Deno.Command('ls', {args: ['-l']}).outputSync()");
  private static final String ALPHABET = "abc()[]{}<>'\"`$.,;:=+-*/\\ \n\t01_#@!?";

  @Test
  void shouldAnswerAsTheBindingDoesForPython() {
    compareAll(PythonCode.GRAMMAR, new TreeSitterPython(), PYTHON);
  }

  @Test
  void shouldAnswerAsTheBindingDoesForJavaScript() {
    compareAll(JavaScriptCode.GRAMMAR, new TreeSitterJavascript(), JAVASCRIPT);
  }

  private static void compareAll(Syntax.Grammar grammar, TSLanguage language, List<String> seeds) {
    List<String> fields = new ArrayList<>();
    for (int id = 1; id <= language.fieldCount(); id++) {
      fields.add(language.fieldNameForId(id));
    }
    Random random = new Random(20261207L);
    List<String> codes = new ArrayList<>(seeds);
    for (int i = 0; i < 60; i++) {
      codes.add(mutate(random, seeds.get(random.nextInt(seeds.size()))));
    }
    TSParser parser = new TSParser();
    parser.setLanguage(language);
    for (String code : codes) {
      TSTree tree = parser.parseString(null, code);
      try {
        compare(grammar.parse(code).root(), tree.getRootNode(), fields, code);
      } finally {
        tree.close();
      }
    }
  }

  private static void compare(Syntax.Node copy, TSNode node, List<String> fields, String code) {
    String where = code + " at " + node.getStartByte() + ".." + node.getEndByte();
    assertThat(copy.type).as(where).isEqualTo(node.getType());
    assertThat(copy.startByte()).as(where).isEqualTo(node.getStartByte());
    assertThat(copy.endByte()).as(where).isEqualTo(node.getEndByte());
    assertThat(copy.named()).as(where).hasSize(node.getNamedChildCount());
    for (String field : fields) {
      TSNode expected = node.getChildByFieldName(field);
      Syntax.Node actual = copy.field(field);
      if (expected == null || expected.isNull()) {
        assertThat(actual).as(where + " field " + field).isNull();
      } else {
        assertThat(actual).as(where + " field " + field).isNotNull();
        assertThat(actual.startByte())
            .as(where + " field " + field)
            .isEqualTo(expected.getStartByte());
        assertThat(actual.type).as(where + " field " + field).isEqualTo(expected.getType());
      }
    }
    List<Syntax.Node> all = copy.all();
    assertThat(all).as(where).hasSize(node.getChildCount());
    for (int i = 0; i < all.size(); i++) {
      compare(all.get(i), node.getChild(i), fields, code);
    }
  }

  private static String mutate(Random random, String seed) {
    StringBuilder out = new StringBuilder(seed);
    int mutations = 1 + random.nextInt(6);
    for (int i = 0; i < mutations; i++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(3)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> out.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return out.toString();
  }
}
