package dev.claudetelemetry.policy.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Variables, defaults, braces, functions, aliases, loops, xargs and stdin-fed shells in one line.
 */
class ShellSemanticsTest {

  private final BashAnalyzer analyzer = new BashAnalyzer(5, 64 * 1024);

  private List<List<String>> argvs(String command) {
    return analyzer.analyze(command, "/w").commands().stream().map(ShellCommand::argv).toList();
  }

  @Test
  void shouldResolveVariablesAssignedEarlierInTheLine() {
    assertThat(argvs("D=/etc; X=rm; $X -rf \"$D/x\" $D"))
        .contains(List.of("rm", "-rf", "/etc/x", "/etc"));
    assertThat(argvs("export T=~/.ssh; cat $T/id")).contains(List.of("cat", "~/.ssh/id"));
  }

  @Test
  void shouldTakeTheDefaultOfAnUnknownVariableAndAssignIt() {
    assertThat(argvs("rm -rf ${A:-/x} ${B-/y}")).contains(List.of("rm", "-rf", "/x", "/y"));
    assertThat(argvs(": ${D:=/usr}; rm $D")).contains(List.of("rm", "/usr"));
    assertThat(argvs("D=keep; rm ${D:-/x}")).contains(List.of("rm", "keep"));
  }

  @Test
  void shouldLeaveWhatItCannotKnowAsWritten() {
    assertThat(argvs("rm -rf \"$TARGET\" $(cat list)"))
        .contains(List.of("rm", "-rf", "$TARGET", "$(cat list)"));
    assertThat(UnknownValues.isUnknown("$TARGET")).isTrue();
    assertThat(UnknownValues.isUnknown("$(cat list)")).isTrue();
    assertThat(UnknownValues.isUnknown("$HOME/x")).isFalse();
    assertThat(UnknownValues.isUnknown("${HOME}")).isFalse();
    assertThat(UnknownValues.isUnknown("$HOMEX")).isTrue();
    assertThat(UnknownValues.isUnknown("price-5$")).isFalse();
  }

  @Test
  void shouldExpandBracesOutsideQuotesOnly() {
    assertThat(argvs("rm -rf /{etc,usr} f{1..3}"))
        .contains(List.of("rm", "-rf", "/etc", "/usr", "f1", "f2", "f3"));
    assertThat(argvs("echo '{a,b}' \"{c,d}\" {}"))
        .contains(List.of("echo", "{a,b}", "{c,d}", "{}"));
    assertThat(Braces.expand("{1..100000}")).hasSize(Braces.LIMIT);
  }

  @Test
  void shouldRunFunctionsWithTheirArgumentsAndAliasesWithTheirExpansion() {
    assertThat(argvs("f(){ rm -rf \"$1\"; }; f /etc")).contains(List.of("rm", "-rf", "/etc"));
    assertThat(argvs("f(){ rm -rf \"$1\"; }; f build")).doesNotContain(List.of("rm", "-rf", "$1"));
    assertThat(argvs("g(){ rm -rf /; }")).contains(List.of("rm", "-rf", "/"));
    assertThat(argvs("alias x='rm -rf'; x /")).contains(List.of("rm", "-rf", "/"));
  }

  @Test
  void shouldStopRecursiveFunctionsAtTheDepthLimit() {
    ShellAnalysis analysis = analyzer.analyze("f(){ rm -rf $1; f $1/x; }; f /a", "/w");

    assertThat(analysis.complete()).isFalse();
    assertThat(analysis.problem()).contains("deeper");
  }

  @Test
  void shouldJudgeARecursiveCallWithNewArgumentsAndSkipOneWithTheSame() {
    assertThat(argvs("f(){ rm -rf $1; f /; }; f build"))
        .contains(List.of("rm", "-rf", "build"), List.of("rm", "-rf", "/"));
    ShellAnalysis bomb = analyzer.analyze(":(){ :|:& };:", "/w");
    assertThat(bomb.complete()).isTrue();
    assertThat(bomb.commands()).hasSizeLessThan(8);
  }

  @Test
  void shouldRunALoopBodyOncePerWord() {
    assertThat(argvs("for d in / /etc; do rm -rf $d; done"))
        .contains(List.of("rm", "-rf", "/"), List.of("rm", "-rf", "/etc"));
    assertThat(argvs("for f in *.txt; do wc -l \"$f\"; done"))
        .contains(List.of("wc", "-l", "*.txt"));
    assertThat(argvs("while read f; do rm \"$f\"; done < l")).contains(List.of("rm", "$f"));
  }

  @Test
  void shouldFeedXargsWhatALiteralProducerPrintsAndMarkTheRestUnknown() {
    assertThat(argvs("printf '%s\\n' /etc /usr | xargs rm -rf"))
        .contains(List.of("rm", "-rf", "/etc", "/usr"));
    assertThat(argvs("echo /x | xargs -I{} rm -rf {}/y")).contains(List.of("rm", "-rf", "/x/y"));
    assertThat(argvs("find / -name x | xargs rm")).contains(List.of("rm", "/{}"));
    assertThat(argvs("cat list | xargs rm -rf")).contains(List.of("rm", "-rf", "$(cat list)"));
  }

  @Test
  void shouldParseWhatAShellReadsFromAHereDocumentAPipeOrAWrittenScript() {
    assertThat(argvs("bash <<EOF\nrm -rf /\nEOF")).contains(List.of("rm", "-rf", "/"));
    assertThat(argvs("sh <<< 'rm -rf /a'")).contains(List.of("rm", "-rf", "/a"));
    assertThat(argvs("echo cm0gLXJmIC8= | base64 -d | bash")).contains(List.of("rm", "-rf", "/"));
    assertThat(argvs("printf '\\x72\\x6d -rf /b' | sh")).contains(List.of("rm", "-rf", "/b"));
    assertThat(argvs("echo 726d202f63 | xxd -r -p | sh")).contains(List.of("rm", "/c"));
    assertThat(argvs("cat <<EOF | bash\nrm -rf /d\nEOF")).contains(List.of("rm", "-rf", "/d"));
    assertThat(argvs("cat > f.sh <<X\nrm -rf /e\nX\nbash f.sh"))
        .contains(List.of("rm", "-rf", "/e"));
    assertThat(argvs("echo 'rm /f' > x.sh && ./x.sh")).contains(List.of("rm", "/f"));
    assertThat(argvs("bash -c \"$(cat <<X\nrm -rf /g\nX\n)\""))
        .contains(List.of("rm", "-rf", "/g"));
    assertThat(argvs("eval \"$(printf 'rm %s' /h)\"")).contains(List.of("rm", "/h"));
  }

  @Test
  void shouldNotParseTextFedToOrdinaryCommands() {
    assertThat(argvs("cat <<EOF\nrm -rf /\nEOF")).doesNotContain(List.of("rm", "-rf", "/"));
    assertThat(argvs("echo 'rm -rf /' | wc")).doesNotContain(List.of("rm", "-rf", "/"));
    assertThat(argvs("echo 'rm -rf /' 2>/dev/null > f.txt"))
        .doesNotContain(List.of("rm", "-rf", "/"));
  }

  @Test
  void shouldSeeCommandsThatFollowAHereDocumentOperator() {
    assertThat(argvs("cat <<X && rm -rf /\nhi\nX")).contains(List.of("rm", "-rf", "/"));
  }

  @Test
  void shouldCallAShellFedFromAnUnknownSourceOpaque() {
    assertThat(analyzer.analyze("cat x.sh | bash", "/w").opaque()).contains("cat x.sh");
    assertThat(analyzer.analyze("sh < setup.sh", "/w").opaque()).contains("setup.sh");
    assertThat(analyzer.analyze("$CMD -rf /", "/w").opaque()).contains("$CMD");
    assertThat(analyzer.analyze("echo 'ls' | bash", "/w").opaque()).isNull();
    assertThat(analyzer.analyze("bash build.sh", "/w").opaque()).isNull();
  }

  @Test
  void shouldUnwrapScriptSshAndParallel() {
    assertThat(argvs("script -qc 'rm -rf /' /dev/null")).contains(List.of("rm", "-rf", "/"));
    assertThat(argvs("ssh -p 22 h rm -rf /x")).contains(List.of("rm", "-rf", "/x"));
    assertThat(argvs("parallel 'rm -rf {}' ::: /a /b"))
        .contains(List.of("rm", "-rf", "/a"), List.of("rm", "-rf", "/b"));
  }

  @Test
  void shouldEmulatePrintfFormatsAndEscapes() {
    assertThat(Producers.printf(List.of("%s-%d\\t%b|%%", "a", "7", "x\\ny")).text())
        .isEqualTo("a-7\tx\ny|%");
    assertThat(Producers.printf(List.of("%s\\n", "a", "b")).text()).isEqualTo("a\nb\n");
    assertThat(Producers.printf(List.of("\\101\\0102")).text()).isEqualTo("AB");
  }

  @Test
  void shouldSplitResolvedUnquotedExpansionsIntoWords() {
    assertThat(argvs("C='rm -rf /'; $C")).contains(List.of("rm", "-rf", "/"));
    assertThat(argvs("C='a b'; echo \"$C\"")).contains(List.of("echo", "a b"));
    assertThat(argvs("echo $UNKNOWN")).contains(List.of("echo", "$UNKNOWN"));
  }

  @Test
  void shouldTreatFindWithoutAFilterAsReachingEverythingBelowItsStart() {
    assertThat(argvs("find . -delete")).contains(List.of("rm", "-rf", "."));
    assertThat(argvs("find w -exec rm -rf {} +")).contains(List.of("rm", "-rf", "w"));
    assertThat(argvs("find . -name '*.o' -delete")).doesNotContain(List.of("rm", "-rf", "."));
    assertThat(argvs("find . -name x -exec rm {} +")).doesNotContain(List.of("rm", "."));
  }

  @Test
  void shouldNarrowWhatXargsReadsToTheLinesAPlainGrepKeeps() {
    assertThat(argvs("ls | grep build | xargs rm -rf"))
        .contains(List.of("rm", "-rf", "*build*"))
        .doesNotContain(List.of("rm", "-rf", "*"));
    assertThat(argvs("printf '/\\nsrc\\n' | grep src | xargs rm -rf"))
        .contains(List.of("rm", "-rf", "src"))
        .doesNotContain(List.of("rm", "-rf", "/"));
    assertThat(argvs("ls | grep -v build | xargs rm -rf")).contains(List.of("rm", "-rf", "*"));
    assertThat(argvs("ls | grep 'b.*' | xargs rm -rf")).contains(List.of("rm", "-rf", "*"));
    assertThat(argvs("find / -type d | grep cache | xargs rm -rf"))
        .contains(List.of("rm", "-rf", "/{}"));
  }

  @Test
  void shouldStartFromThePinnedEnvironmentUnlessTheLineAssigns() {
    Map<String, String> pinned = Map.of("TMPDIR", "/tmp");
    assertThat(analyzer.analyze("rm -rf $TMPDIR/b", "/w", pinned).commands().get(0).argv())
        .isEqualTo(List.of("rm", "-rf", "/tmp/b"));
    assertThat(analyzer.analyze("TMPDIR=/etc; rm -rf $TMPDIR", "/w", pinned).commands())
        .extracting(ShellCommand::argv)
        .contains(List.of("rm", "-rf", "/etc"));
    assertThat(argvs("rm -rf $TMPDIR/b")).contains(List.of("rm", "-rf", "$TMPDIR/b"));
  }

  @Test
  void shouldLoopOverABraceRangeWordByWord() {
    assertThat(argvs("for d in {1..3}; do rm -rf /x$d; done"))
        .contains(List.of("rm", "-rf", "/x1"), List.of("rm", "-rf", "/x3"));
  }

  @Test
  void shouldStopWhenLoopsAndCallsMultiplyBeyondTheBudget() {
    ShellAnalysis analysis =
        analyzer.analyze(
            "for a in {1..64}; do for b in {1..64}; do for c in {1..64}; do x=1; done; done; done",
            "/w");

    assertThat(analysis.complete()).isFalse();
    assertThat(analysis.problem()).contains("expands to more than");
  }
}
