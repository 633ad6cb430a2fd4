package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated commands through the whole engine: no exception escapes and every answer is a
 * decision. A fixed seed makes every run check the same inputs; a bounded number of extra random
 * ones (time-seeded, the seed printed on failure) widens the net over runs.
 */
class FuzzTest {

  private static final String[] TOKENS = {
    "rm",
    "-rf",
    "/",
    "~",
    "$HOME",
    "sudo",
    "bash",
    "-c",
    "eval",
    "'",
    "\"",
    "`",
    "$(",
    ")",
    "(",
    "{",
    "}",
    ";",
    "&&",
    "||",
    "|",
    ">",
    ">>",
    "<",
    "<<",
    "<<<",
    "EOF",
    "\\",
    "*",
    "**",
    "..",
    ".env",
    "find",
    "-exec",
    "{}",
    "\\;",
    "xargs",
    "env",
    "A=1",
    "cd",
    "curl",
    "sh",
    "$'\\x41'",
    "#",
    "\n",
    "&",
    "!",
    "[[",
    "]]",
    "if",
    "then",
    "fi",
    "for",
    "do",
    "done",
    "=",
    "\0",
    "é",
    "😀",
    "\t",
    "$((",
    "))",
    "${",
    "${HOME}",
    "$@",
    "cat",
    "git",
    "push",
    "--force",
    "dd",
    "of=/dev/sda"
  };

  private final Policy policy = Policies.shipped();
  private final PolicyEvaluator evaluator = Policies.evaluator();

  @Test
  void shouldDecideEveryRandomCommandWithFixedSeed() throws Exception {
    fuzz(new Random(20261125L), 3000);
  }

  @Test
  void shouldDecideEveryRandomCommandWithFreshSeed() throws Exception {
    long seed = System.nanoTime();
    try {
      fuzz(new Random(seed), 1000);
    } catch (AssertionError e) {
      throw new AssertionError("fuzz seed " + seed + ": " + e.getMessage(), e);
    }
  }

  private void fuzz(Random random, int count) throws Exception {
    List<String> seeds = new ArrayList<>();
    for (dev.claudetelemetry.policy.suites.PolicyTestCase c : CorpusTest.cases()) {
      String command = c.call().command();
      if (!command.isEmpty()) {
        seeds.add(command);
      }
    }
    for (int i = 0; i < count; i++) {
      String command =
          random.nextBoolean()
              ? randomTokens(random)
              : mutate(seeds.get(random.nextInt(seeds.size())), random);
      Decision decision;
      try {
        decision =
            evaluator.evaluate(
                policy, Policies.bash(command, random.nextInt(8) == 0 ? "/" : Policies.WORKSPACE));
      } catch (RuntimeException e) {
        throw new AssertionError("exception for command " + quoteForMessage(command), e);
      }
      assertThat(decision).as(command).isNotNull();
      assertThat(decision.verdict()).as(command).isNotNull();
      if (decision.verdict() != Verdict.NONE) {
        assertThat(decision.ruleId()).as(command).isNotBlank();
        assertThat(decision.reason()).as(command).contains(decision.ruleId()).hasSizeLessThan(2000);
      }
    }
  }

  private static String randomTokens(Random random) {
    StringBuilder out = new StringBuilder();
    int n = 1 + random.nextInt(25);
    for (int i = 0; i < n; i++) {
      out.append(TOKENS[random.nextInt(TOKENS.length)]).append(random.nextInt(3) == 0 ? "" : " ");
    }
    return out.toString();
  }

  private static String mutate(String seed, Random random) {
    StringBuilder out = new StringBuilder(seed);
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = out.length() == 0 ? 0 : random.nextInt(out.length());
      switch (random.nextInt(4)) {
        case 0 -> out.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
        case 1 -> {
          if (out.length() > 0) {
            out.deleteCharAt(at);
          }
        }
        case 2 -> out.insert(at, (char) random.nextInt(0x80));
        default -> out.insert(0, TOKENS[random.nextInt(TOKENS.length)] + " ");
      }
    }
    return out.toString();
  }

  private static String quoteForMessage(String command) {
    return command.replace("\n", "\\n").replace("\0", "\\0");
  }
}
