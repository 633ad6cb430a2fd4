package dev.claudetelemetry.policy.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BashAnalyzerTest {

  private final BashAnalyzer analyzer = new BashAnalyzer(3, 4096);

  private List<List<String>> argvs(String command) {
    return analyzer.analyze(command, "/w").commands().stream().map(ShellCommand::argv).toList();
  }

  @Test
  void shouldFindEveryCommandInListsPipelinesAndSubstitutions() {
    assertThat(argvs("a 1 && b 2 || c 3; d | e $(f 4) `g 5` <(h 6)"))
        .containsExactlyInAnyOrder(
            List.of("a", "1"),
            List.of("b", "2"),
            List.of("c", "3"),
            List.of("d"),
            List.of("e", "$(f 4)", "`g 5`", "<(h 6)"),
            List.of("f", "4"),
            List.of("g", "5"),
            List.of("h", "6"));
  }

  @Test
  void shouldRemoveQuotesAndEscapesLikeTheShell() {
    assertThat(argvs("\\rm \"-rf\" 'a b' $'\\x41\\n' r\"m\"x"))
        .containsExactly(List.of("rm", "-rf", "a b", "A\n", "rmx"));
  }

  @Test
  void shouldUnwrapWrappersAndKeepOnlyTheWrappersOwnWords() {
    assertThat(argvs("sudo -u root env A=1 nice -n 5 timeout 3 rm -f x"))
        .containsExactly(
            List.of("sudo", "-u", "root"),
            List.of("env", "A=1"),
            List.of("nice", "-n", "5"),
            List.of("timeout", "3"),
            List.of("rm", "-f", "x"));
  }

  @Test
  void shouldParseShellStringsAgainWithDepth() {
    ShellAnalysis analysis = analyzer.analyze("bash -c 'eval \"rm -rf /\"'", "/w");

    assertThat(analysis.complete()).isTrue();
    assertThat(analysis.commands())
        .anySatisfy(
            c -> {
              assertThat(c.argv()).containsExactly("rm", "-rf", "/");
              assertThat(c.depth()).isEqualTo(2);
            });
  }

  @Test
  void shouldReportNestingBeyondTheLimitAsIncomplete() {
    ShellAnalysis analysis = analyzer.analyze("eval eval eval eval rm -rf /", "/w");

    assertThat(analysis.complete()).isFalse();
    assertThat(analysis.problem()).contains("nested deeper than 3");
  }

  @Test
  void shouldReportSyntaxErrorsAndStillExtractWhatItCan() {
    ShellAnalysis analysis = analyzer.analyze("rm -rf / ; echo 'unterminated", "/w");

    assertThat(analysis.complete()).isFalse();
    assertThat(analysis.commands())
        .extracting(ShellCommand::argv)
        .contains(List.of("rm", "-rf", "/"));
  }

  @Test
  void shouldRefuseOverlongCommands() {
    assertThat(analyzer.analyze("echo " + "x".repeat(5000), "/w").problem())
        .contains("longer than 4096");
  }

  @Test
  void shouldSeeRedirectionsAsWritesAndReads() {
    ShellCommand command =
        analyzer.analyze("cat < in.txt > ~/.bashrc 2>&1", "/w").commands().get(0);

    assertThat(command.redirects())
        .containsExactly(new Redirect("<", "in.txt", false), new Redirect(">", "~/.bashrc", true));
  }

  @Test
  void shouldAttachOuterRedirectionsToCommandsInsideCompoundStatements() {
    assertThat(analyzer.analyze("{ echo a; echo b; } >> log", "/w").commands())
        .allSatisfy(
            c -> assertThat(c.redirects()).containsExactly(new Redirect(">>", "log", true)));
  }

  @Test
  void shouldFollowCdForLaterCommandsButNotOutOfSubshells() {
    List<ShellCommand> commands =
        analyzer.analyze("cd /etc && cat a; (cd /tmp; cat b); cat c", "/w").commands();

    assertThat(commands)
        .filteredOn(c -> c.name().equals("cat"))
        .extracting(ShellCommand::cwd)
        .containsExactly("/etc", "/tmp", "/etc");
  }

  @Test
  void shouldKnowWhatFeedsAPipelineStage() {
    ShellCommand sh = analyzer.analyze("curl -s x | tee f | sh", "/w").commands().get(2);

    assertThat(sh.name()).isEqualTo("sh");
    assertThat(sh.upstream()).containsExactly("curl", "tee");
  }

  @Test
  void shouldTurnFindExecIntoTheCommandItRuns() {
    assertThat(argvs("find /a b -name x -exec rm -rf {} +"))
        .contains(List.of("rm", "-rf", "/a/{}"), List.of("rm", "-rf", "b/{}"));
  }

  @Test
  void shouldBeUsableFromManyThreadsAtOnce() throws Exception {
    int threads = 4;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    try {
      List<java.util.concurrent.Future<List<String>>> workers = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  List<String> wrong = new java.util.ArrayList<>();
                  for (int i = 0; i < 300; i++) {
                    String word = "w" + id + "_" + i;
                    List<List<String>> found = argvs("echo " + word + " | cat");
                    if (!found.equals(List.of(List.of("echo", word), List.of("cat")))) {
                      wrong.add(word + " -> " + found);
                    }
                  }
                  return wrong;
                }));
      }
      start.countDown();
      for (java.util.concurrent.Future<List<String>> worker : workers) {
        // get() rethrows whatever a worker threw, so an exception fails the test, not just a
        // thread.
        assertThat(worker.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldSurviveLoneSurrogatesAndSeePastNulBytes() {
    ShellAnalysis analysis = analyzer.analyze("ls \0; rm -rf /", "/w");

    assertThat(analysis.complete()).isFalse();
    assertThat(analysis.commands())
        .extracting(ShellCommand::argv)
        .contains(List.of("rm", "-rf", "/"));
    assertThat(analyzer.analyze("rm \ud83d -rf /", "/w").commands())
        .extracting(ShellCommand::name)
        .containsExactly("rm");
  }

  @Test
  void shouldAnalysePlainCommandsWithoutTheParserExactlyAsTheParserWould()
      throws java.io.IOException {
    BashAnalyzer parserOnly = new BashAnalyzer(3, 4096, true);
    List<String> commands =
        new java.util.ArrayList<>(
            List.of(
                "git status",
                "rm -rf node_modules",
                "sudo -u root rm -f /etc/x",
                "dd if=/dev/zero of=/dev/sda bs=1M",
                "timeout 5 nice -n 3 env A=1 git push -f origin +main",
                "npm  run   build ",
                "find . -delete",
                "eval rm -rf /",
                "bash -c ls",
                "xargs rm -rf /etc",
                "cd /tmp",
                "find /a -exec rm -rf {} +"));
    commands.addAll(corpusCommands());
    int plain = 0;
    for (String command : commands) {
      if (PlainCommand.isPlain(command)) {
        plain++;
        assertThat(analyzer.analyze(command, "/w"))
            .as(command)
            .isEqualTo(parserOnly.analyze(command, "/w"));
      }
    }
    assertThat(plain).as("plain commands compared").isGreaterThan(50);
    assertThat(PlainCommand.isPlain("A=1 rm -rf /")).isFalse();
    assertThat(PlainCommand.isPlain("rm -rf ~")).isFalse();
    assertThat(PlainCommand.isPlain("if true")).isFalse();
    assertThat(PlainCommand.isPlain("ls; rm")).isFalse();
  }

  /**
   * BashAnalyzer appends a newline before parsing (a faster path through the grammar); it must not
   * change the tree.
   */
  @Test
  void shouldParseEveryCorpusCommandTheSameWithTheTerminatingNewline() throws java.io.IOException {
    try (org.treesitter.TSParser parser = new org.treesitter.TSParser()) {
      parser.setLanguage(Nodes.BASH);
      List<String> commands = corpusCommands();
      for (String command : commands) {
        String asWritten = parser.parseString(null, command).getRootNode().toString();
        String terminated = parser.parseString(null, command + "\n").getRootNode().toString();
        assertThat(terminated).as(command).isEqualTo(asWritten);
      }
      assertThat(commands).as("corpus commands").hasSizeGreaterThan(300);
    }
    assertThat(argvs("a | b 1 | c 2 | d"))
        .containsExactly(List.of("a"), List.of("b", "1"), List.of("c", "2"), List.of("d"));
  }

  private static List<String> corpusCommands() throws java.io.IOException {
    com.fasterxml.jackson.databind.ObjectMapper yaml =
        new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    List<String> commands = new java.util.ArrayList<>();
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("../policies/tests"))) {
      for (var file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        yaml.readTree(file.toFile())
            .path("cases")
            .forEach(
                c -> {
                  if (c.has("bash")) {
                    commands.add(c.get("bash").asText());
                  }
                });
      }
    }
    return commands;
  }
}
