package dev.claudetelemetry.policy.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.Policies;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.rules.Verdict;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import dev.claudetelemetry.policy.suites.PolicyTestCase;
import dev.claudetelemetry.policy.suites.PolicyTestReader;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The replay's parts without the services (PolicyReplayTest in e2e-tests runs them against the real
 * ones): rows read from a page, what is compared and how changes are grouped, examples that are the
 * same whatever the threads did, the memo key, and random pages read or refused.
 */
class PolicyReplayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Policy POLICY = Policies.shipped();
  // As the replay judges: symlinks not followed, so decisions can be remembered.
  private static final PolicyEvaluator EVALUATOR =
      new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(false));
  private final ToolCallHistory history =
      new ToolCallHistory(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:1/"), "t");

  static String row(int n, String command, String verdict, String rule, String source) {
    ObjectNode input = JSON.createObjectNode();
    input.put("session_id", "s" + (n % 3));
    input.put("transcript_path", "/home/claude-user/.claude/projects/p/s" + (n % 3) + ".jsonl");
    input.put("cwd", Policies.WORKSPACE);
    input.put("hook_event_name", "PreToolUse");
    input.put("tool_name", "Bash");
    input.putObject("tool_input").put("command", command);
    ObjectNode row = JSON.createObjectNode();
    row.put("id", String.format("id-%05d", n));
    row.put("receivedAt", Instant.parse("2026-12-01T00:00:00Z").plusSeconds(n).toString());
    row.put("sessionId", "s" + (n % 3));
    row.put("user", "alice");
    row.put("tool", "Bash");
    row.put("verdict", verdict);
    row.put("ruleId", rule);
    row.put("mode", "enforce");
    row.put("source", source);
    row.set("input", input);
    return row + "\n";
  }

  List<RecordedCall> read(String page) throws Exception {
    List<RecordedCall> calls = new ArrayList<>();
    history.readPage(new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)), calls::add);
    return calls;
  }

  @Test
  void shouldReadRowsKeepingOnlyVerdictsAPolicyGave() throws Exception {
    String notAHookInput =
        "{\"id\":\"x\",\"receivedAt\":\"2026-12-01T00:00:00Z\",\"input\":{\"tool_name\":\"Bash\"}}\n";
    List<RecordedCall> calls = new ArrayList<>();
    ToolCallHistory.Page page =
        history.readPage(
            new ByteArrayInputStream(
                (row(1, "ls", "none", null, "policy")
                        + notAHookInput
                        + row(2, "rm -rf /", "deny", "r", "fail-closed"))
                    .getBytes(StandardCharsets.UTF_8)),
            calls::add);

    assertThat(page.rows()).isEqualTo(3);
    assertThat(page.notJudgeable()).isEqualTo(1);
    assertThat(page.last()).isEqualTo("2026-12-01T00:00:02Z,id-00002");
    assertThat(calls.get(0).recorded()).isEqualTo(Verdict.NONE);
    assertThat(calls.get(0).call().command()).isEqualTo("ls");
    assertThat(calls.get(1).recorded()).as("a fail-mode answer is no policy verdict").isNull();
  }

  @Test
  void shouldGroupChangesByNewVerdictAndRuleWithTheOldestExamples() throws Exception {
    StringBuilder page = new StringBuilder();
    int n = 0;
    // 3000 rows: the shipped policy denies `rm -rf /` and asks for `git push --force`; the
    // recorded verdicts say otherwise for some, so the shipped policy "changes" them.
    for (int i = 0; i < 1000; i++) {
      page.append(row(n++, "rm -rf /", "none", null, "policy"));
      page.append(row(n++, "git push --force", "ask", "git-push-force", "policy"));
      page.append(row(n++, "ls -la", "deny", "old-rule", "policy"));
    }
    ReplayReport report;
    try (PolicyReplay replay = new PolicyReplay(POLICY, EVALUATOR, 4, true, 2, "http://v")) {
      read(page.toString()).forEach(replay::accept);
      report = replay.finish(0, 1);
    }

    assertThat(report.calls()).isEqualTo(3000);
    assertThat(report.unchanged()).isEqualTo(1000);
    assertThat(report.changed()).isEqualTo(2000);
    ReplayReport.Group denied =
        report.changes().get(Verdict.DENY).get("rm-recursive-outside-workspace");
    assertThat(denied.count()).isEqualTo(1000);
    assertThat(denied.from()).containsEntry(Verdict.NONE, 1000L);
    assertThat(denied.examples())
        .extracting(ReplayReport.Example::id)
        .as("the oldest, whatever order the threads finished in")
        .containsExactly("id-00000", "id-00003");
    assertThat(denied.examples().get(0).link()).isEqualTo("http://v/sessions/s0");
    ReplayReport.Group none = report.changes().get(Verdict.NONE).get("old-rule");
    assertThat(none.count()).as("newly none, under the rule that decided before").isEqualTo(1000);
    assertThat(report.timing().evaluations())
        .as("three distinct inputs, each judged once")
        .isBetween(3L, 12L);
  }

  @Test
  void shouldKeyTheMemoOnWhatTheEvaluationReads() {
    ToolCall a =
        call("Bash", "{\"command\":\"ls\",\"description\":\"a\"}", "/w", "/home/u", "default");
    ToolCall edit =
        call("Edit", "{\"file_path\":\"/w/x\",\"old_string\":\"1\"}", "/w", "/home/u", "default");

    assertThat(EVALUATOR.decisionKey(a, false))
        .as("another description, another session of the same home")
        .isEqualTo(
            EVALUATOR.decisionKey(
                call(
                    "Bash",
                    "{\"command\":\"ls\",\"description\":\"b\"}",
                    "/w",
                    "/home/u",
                    "default"),
                false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("Bash", "{\"command\":\"ls \"}", "/w", "/home/u", "default"), false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("Bash", "{\"command\":\"ls\"}", "/w", "/home/v", "default"), false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("Bash", "{\"command\":\"ls\"}", "/x", "/home/u", "default"), false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("Bash", "{\"command\":\"ls\"}", "/w", "/home/u", "plan"), false));
    assertThat(EVALUATOR.decisionKey(a, true))
        .as("a policy whose conditions read the input")
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call(
                    "Bash",
                    "{\"command\":\"ls\",\"description\":\"b\"}",
                    "/w",
                    "/home/u",
                    "default"),
                true));
    assertThat(EVALUATOR.decisionKey(edit, false))
        .isEqualTo(
            EVALUATOR.decisionKey(
                call(
                    "Edit",
                    "{\"file_path\":\"/w/x\",\"old_string\":\"2\"}",
                    "/w",
                    "/home/u",
                    "default"),
                false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("Edit", "{\"file_path\":\"/w/y\"}", "/w", "/home/u", "default"), false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call(
                    "Edit",
                    "{\"file_path\":\"/w/x\",\"command\":\"rm\"}",
                    "/w",
                    "/home/u",
                    "default"),
                false));
    assertThat(
            EVALUATOR.decisionKey(
                call("mcp__fs__read", "{\"path\":\"/a\",\"q\":1}", "/w", "/home/u", "default"),
                false))
        .isNotEqualTo(
            EVALUATOR.decisionKey(
                call("mcp__fs__read", "{\"path\":\"/a\",\"q\":2}", "/w", "/home/u", "default"),
                false));
    assertThat(Policies.evaluator().decisionKey(a, false))
        .as("with symlinks followed the file system decides too: nothing is remembered")
        .isNull();
    assertThat(PolicyEvaluator.conditionsReadInput(POLICY)).isFalse();
  }

  /**
   * The key is kept by hand beside the evaluator: every corpus call, changed in one place at a time
   * (a tool-input field altered, removed or added, the cwd, the mode, the transcript's file), must
   * either change the key or leave the decision as it was. A field the evaluator starts to read
   * without the key listing it fails here.
   */
  @Test
  void shouldGiveCallsWithTheSameDecisionKeyTheSameDecision() throws Exception {
    boolean wholeInput = PolicyEvaluator.conditionsReadInput(POLICY);
    int compared = 0;
    for (PolicyTestCase testCase : PolicyTestReader.read(Path.of("../policies/tests"))) {
      ToolCall original = testCase.call();
      String key = EVALUATOR.decisionKey(original, wholeInput);
      Decision decision = EVALUATOR.evaluate(POLICY, original);
      for (ToolCall variant : variants(original)) {
        if (key.equals(EVALUATOR.decisionKey(variant, wholeInput))) {
          Decision other = EVALUATOR.evaluate(POLICY, variant);
          assertThat(List.of(other.verdict(), String.valueOf(other.ruleId()), other.dryRun()))
              .as("%s, changed to %s", original, variant)
              .isEqualTo(
                  List.of(
                      decision.verdict(), String.valueOf(decision.ruleId()), decision.dryRun()));
          compared++;
        }
      }
    }
    assertThat(compared).as("variants that kept their key").isGreaterThan(1_000);
  }

  private static List<ToolCall> variants(ToolCall call) {
    List<ToolCall> variants = new ArrayList<>();
    if (call.input() instanceof ObjectNode input) {
      input
          .fieldNames()
          .forEachRemaining(
              field -> {
                ObjectNode altered = input.deepCopy();
                altered.put(field, input.path(field).asText() + " x");
                variants.add(withInput(call, altered));
                ObjectNode removed = input.deepCopy();
                removed.remove(field);
                variants.add(withInput(call, removed));
              });
      ObjectNode added = input.deepCopy();
      added.put("description", "another description").put("timeout", 5000);
      variants.add(withInput(call, added));
    }
    variants.add(
        new ToolCall(
            call.event(),
            call.tool(),
            call.input(),
            "/srv/other",
            call.transcriptPath(),
            call.permissionMode()));
    variants.add(
        new ToolCall(
            call.event(), call.tool(), call.input(), call.cwd(), call.transcriptPath(), "plan"));
    variants.add(
        new ToolCall(
            call.event(),
            call.tool(),
            call.input(),
            call.cwd(),
            call.transcriptPath().replaceFirst("[^/]*$", "another-session.jsonl"),
            call.permissionMode()));
    return variants;
  }

  private static ToolCall withInput(ToolCall call, ObjectNode input) {
    return new ToolCall(
        call.event(), call.tool(), input, call.cwd(), call.transcriptPath(), call.permissionMode());
  }

  static ToolCall call(String tool, String input, String cwd, String home, String mode) {
    try {
      return new ToolCall(
          "PreToolUse",
          tool,
          JSON.readTree(input),
          cwd,
          home + "/.claude/projects/p/" + input.hashCode() + ".jsonl",
          mode);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldReadOrRefuseEveryRandomMutationOfAPage() {
    String page =
        row(1, "ls", "none", null, "policy")
            + row(2, "cat <<'EOF' | sh\nrm -rf ~\nEOF", "deny", "x", "policy")
            + row(3, "git status", "allow", "y", "policy");
    byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String alphabet = "{}[]:,\"\\\n 0aZ-";
    for (int i = 0; i < 3000; i++) {
      byte[] mutated = bytes.clone();
      for (int e = 0; e < 1 + random.nextInt(5); e++) {
        mutated[random.nextInt(mutated.length)] =
            random.nextBoolean()
                ? (byte) alphabet.charAt(random.nextInt(alphabet.length()))
                : (byte) random.nextInt(256);
      }
      try {
        ToolCallHistory.Page result =
            history.readPage(new ByteArrayInputStream(mutated), call -> {});
        assertThat(result.rows()).isGreaterThanOrEqualTo(0);
      } catch (ToolCallHistory.HistoryException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + seed + ", page " + i + ": " + e, e);
      }
    }
    String deep =
        "{\"id\":\"a\",\"receivedAt\":\"2026-12-01T00:00:00Z\",\"input\":" + "[".repeat(5000);
    assertThatThrownBy(
            () -> history.readPage(new ByteArrayInputStream(deep.getBytes()), call -> {}))
        .isInstanceOf(ToolCallHistory.HistoryException.class);
  }

  @Test
  void shouldReportTheSameOnOneThreadAsOnManyWithOrWithoutTheMemo() throws Exception {
    StringBuilder page = new StringBuilder();
    String[] commands = {
      "rm -rf /",
      "git push --force",
      "ls -la",
      "curl -o x https://e.x",
      "cat ~/.ssh/id_rsa",
      "git status",
      "echo 'rm -rf ~' | sh",
      "python3 -c 'import os; os.system(\"rm -rf /\")'"
    };
    String[] recorded = {"none", "ask", "deny", "allow"};
    for (int n = 0; n < 4000; n++) {
      page.append(
          row(
              n,
              commands[n % commands.length] + " " + (n % 7),
              recorded[n % 4],
              "r" + (n % 3),
              "policy"));
    }
    List<RecordedCall> calls = read(page.toString());
    List<ReplayReport> reports = new ArrayList<>();
    for (int threads : new int[] {1, 2, 8}) {
      for (boolean memo : new boolean[] {true, false}) {
        try (PolicyReplay replay = new PolicyReplay(POLICY, EVALUATOR, threads, memo, 3, "v")) {
          calls.forEach(replay::accept);
          ReplayReport report = replay.finish(0, 1);
          // Everything but the timing.
          reports.add(
              new ReplayReport(
                  report.calls(),
                  report.compared(),
                  report.unchanged(),
                  report.otherRule(),
                  report.notDecidedByPolicy(),
                  report.notJudgeable(),
                  report.candidateVerdicts(),
                  report.changes(),
                  null));
        }
      }
    }
    assertThat(reports.get(0).changed()).isGreaterThan(1000);
    assertThat(reports).allSatisfy(report -> assertThat(report).isEqualTo(reports.get(0)));
  }
}
