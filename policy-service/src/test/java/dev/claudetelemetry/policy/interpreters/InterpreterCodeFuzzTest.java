package dev.claudetelemetry.policy.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policies;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated inline code in every language, read directly and through the whole policy
 * ({@code python3 -c …}): never an exception, always effects and a decision. A fixed seed keeps
 * failures reproducible; a fresh seed explores, printed when it fails.
 */
class InterpreterCodeFuzzTest {

  private static final List<String> SEEDS =
      List.of(
          "import shutil, os\nshutil.rmtree(os.path.join(os.path.expanduser('~'), 'x'))\n",
          "from pathlib import Path\n(Path.home() / '.ssh' / 'id_rsa').read_text()\nopen(f'{1}', 'w')\n",
          "import subprocess as s; s.run(['rm', '-rf', '/'], shell=True); exec(\"os.system('x')\")",
          "const {execSync: x} = require('child_process'); x(`rm -rf ${require('os').homedir()}`);",
          "import fs from 'node:fs'; fs.rmSync(path.join('/a', 'b'), {recursive: true}); eval('1')",
          "use File::Path qw(rmtree); rmtree(\"/etc\"); unlink glob('/x/*'); print qx{id}; open(F, '>', $ENV{HOME} . '/f');",
          "require 'fileutils'; FileUtils.rm_rf [Dir.home, '/b'], secure: true; system(\"ls #{x}\"); %x(id)",
          "<?php unlink('/etc/passwd'); echo `id`; file_put_contents(getenv('HOME') . '/.bashrc', 'x'); /* c */",
          "'''\"\"\"`${`${`'\\\\\\x00((((([[[{{{#",
          "q{ qq( %q[ %x< qw/ <<EOF\n$ENV{ @{ #{ `");
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyz()[]{}<>'\"`$@#%&*+-=/\\.,;:!?~ \n\t0123456789_";
  private static final Language[] LANGUAGES = Language.values();
  private static final String[] COMMANDS = {
    "python3 -c ", "node -e ", "perl -e ", "ruby -e ", "php -r "
  };

  @Test
  void shouldAlwaysGiveEffectsAndADecisionWithAFixedSeed() {
    fuzz(20261207L, 800);
  }

  @Test
  void shouldAlwaysGiveEffectsAndADecisionWithAFreshSeed() {
    long seed = System.nanoTime();
    try {
      fuzz(seed, 300);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("fresh seed " + seed + " failed", e);
    }
  }

  /**
   * Inputs at the size limit in every language, in the shapes that make parsers and readers work
   * hardest (deep nesting, unterminated literals, every seed repeated), give effects and never an
   * exception; longer ones are not read. Work that multiplies is cut off: one literal evaluated
   * thousands of times ({@link ReadBudget}), a string doubled line after line.
   */
  @Test
  void shouldDoBoundedWorkOnHugeInputs() {
    int limit = InterpreterCode.MAX_CODE_CHARS;
    List<String> shapes = new java.util.ArrayList<>();
    shapes.add("(".repeat(limit));
    shapes.add("[{(".repeat(limit / 3));
    shapes.add("'" + "a".repeat(limit - 1));
    shapes.add("q{".repeat(limit / 2));
    shapes.add("<<EOF\n".repeat(limit / 6));
    shapes.add("${`".repeat(limit / 3));
    // every third seed: one per language family, each tried as every language below
    for (int i = 0; i < SEEDS.size(); i += 3) {
      shapes.add(SEEDS.get(i).repeat(limit / SEEDS.get(i).length()));
    }
    for (String shape : shapes) {
      for (Language language : LANGUAGES) {
        assertThat(InterpreterCode.effects(language, shape))
            .as(language + ": " + shape.substring(0, 20))
            .isNotNull()
            .doesNotContainNull();
      }
    }
    for (Language language : LANGUAGES) {
      assertThat(InterpreterCode.effects(language, "x".repeat(limit + 1)))
          .extracting(Effect::reason)
          .containsExactly(
              "the inline " + InterpreterCode.name(language) + " code is too long to read");
    }
    String literal = "print(1);".repeat(3000);
    assertThat(
            InterpreterCode.effects(
                Language.PYTHON, "c = '" + literal + "'\n" + "exec(c)\n".repeat(1000)))
        .contains(ReadBudget.spent());
    assertThat(
            InterpreterCode.effects(
                Language.JAVASCRIPT, "const c = '" + literal + "';\n" + "eval(c);\n".repeat(1000)))
        .contains(ReadBudget.spent());
    assertThat(
            InterpreterCode.effects(
                Language.PYTHON,
                "import os\nc = 'xxxxxxxx'\n" + "c = c + c\n".repeat(60) + "os.remove(c)"))
        .extracting(Effect::kind)
        .containsExactly(Effect.Kind.OPAQUE);
    assertThat(
            InterpreterCode.effects(
                Language.JAVASCRIPT,
                "let c = 'xxxxxxxx';\n" + "c = c + c;\n".repeat(60) + "require('fs').rmSync(c);"))
        .extracting(Effect::kind)
        .containsExactly(Effect.Kind.OPAQUE);
  }

  private static void fuzz(long seed, int rounds) {
    Random random = new Random(seed);
    Policy policy = Policies.shipped();
    PolicyEvaluator evaluator = Policies.evaluator();
    for (int round = 0; round < rounds; round++) {
      String code =
          random.nextInt(4) == 0
              ? randomText(random)
              : mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
      int language = random.nextInt(LANGUAGES.length);
      List<Effect> effects = InterpreterCode.effects(LANGUAGES[language], code);
      assertThat(effects).as(code).isNotNull().doesNotContainNull();
      String command = COMMANDS[language] + "'" + code.replace("'", "'\\''") + "'";
      Decision decision = evaluator.evaluate(policy, Policies.bash(command));
      assertThat(decision.verdict()).as(command).isNotNull();
    }
  }

  private static String randomText(Random random) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(200);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  private static String mutate(Random random, String seed) {
    StringBuilder out = new StringBuilder(seed);
    int mutations = 1 + random.nextInt(8);
    for (int i = 0; i < mutations && out.length() > 0; i++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(4)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 2 -> out.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> {
          int end = Math.min(out.length(), at + random.nextInt(20));
          out.insert(random.nextInt(out.length()), out.substring(at, end));
        }
      }
    }
    return out.toString();
  }
}
