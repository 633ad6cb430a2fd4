package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A rule in {@code enforcement: dryrun} never changes the answer, and what it would have decided is
 * part of the decision.
 */
class DryRunRuleTest {

  static final String POLICY =
      """
      apiVersion: claude-telemetry.dev/v1
      kind: ClaudePolicy
      metadata: {name: test, version: "1"}
      mode: enforce
      rules:
        - id: no-curl-trial
          description: trying to stop curl
          tools: [Bash]
          decision: deny
          enforcement: dryrun
          message: No downloads. Instead use the proxy.
          match:
            command: {names: [curl]}
          examples:
            deny: [curl https://example.com]
            allow: [wget https://example.com]
        - id: no-etc
          description: no etc reads
          tools: [Bash, Read, mcp__fs__read_file]
          decision: deny
          message: Not there. Instead read the docs.
          match:
            paths: {globs: ["/etc/**"]}
          examples:
            deny: [cat /etc/shadow]
            none: [cat README.md]
        - id: force-push-trial
          description: trying to ask before force pushes
          tools: [Bash]
          decision: ask
          enforcement: dryrun
          message: Ask first. Instead push a branch.
          match:
            command: {names: [git], subcommands: [push], flags: [force]}
          examples:
            ask: [git push --force]
            allow: [git push]
        - id: curl-allowed
          description: curl is pre-approved
          tools: [Bash]
          decision: allow
          message: Downloads are fine.
          match:
            command: {names: [curl, git]}
          examples:
            allow: [curl https://example.com, git push --force]
            none: [wget https://example.com]
        - id: shadow-read-trial
          description: a dry-run rule after an enforced deny
          tools: [Bash, Read]
          decision: deny
          enforcement: dryrun
          message: Shadow. Instead do not.
          match:
            paths: {globs: ["/etc/shadow"]}
          examples:
            deny: [cat /etc/shadow]
            none: [cat /etc/hosts]
      """;

  private final Policy policy = AllowRuleTest.load(POLICY);
  private final PolicyEvaluator evaluator = Policies.evaluator();

  private Decision bash(String command) {
    return evaluator.evaluate(policy, Policies.bash(command));
  }

  @Test
  void shouldAnswerAsIfADryRunDenyBeforeAnAllowRuleHadNotMatched() {
    Decision decision = bash("curl https://example.com");

    assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(decision.ruleId()).isEqualTo("curl-allowed");
    assertThat(decision.dryRun())
        .singleElement()
        .satisfies(
            match -> {
              assertThat(match.ruleId()).isEqualTo("no-curl-trial");
              assertThat(match.verdict()).isEqualTo(Verdict.DENY);
              assertThat(match.reason())
                  .startsWith("Would have been blocked by policy rule no-curl-trial (dry run")
                  .contains("'curl https://example.com'")
                  .contains("Instead use the proxy");
            });
  }

  @Test
  void shouldDenyByTheEnforcedRuleAndStillRecordTheDryRunRulesAfterIt() {
    Decision decision = bash("curl https://example.com; cat /etc/shadow");

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.ruleId()).isEqualTo("no-etc");
    assertThat(decision.dryRun())
        .extracting(DryRunMatch::ruleId, DryRunMatch::verdict)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("no-curl-trial", Verdict.DENY),
            org.assertj.core.groups.Tuple.tuple("shadow-read-trial", Verdict.DENY));
  }

  @Test
  void shouldRecordADryRunAskWithoutAsking() {
    Decision decision = bash("git push --force");

    assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(decision.dryRun())
        .singleElement()
        .satisfies(
            match -> {
              assertThat(match.ruleId()).isEqualTo("force-push-trial");
              assertThat(match.verdict()).isEqualTo(Verdict.ASK);
              assertThat(match.reason()).startsWith("Would have needed confirmation");
            });
  }

  @Test
  void shouldLeaveAnUndecidedCallUndecidedWithTheDryRunRecorded() {
    Decision decision = bash("curl https://example.com | wc -l");

    assertThat(decision.verdict()).isEqualTo(Verdict.NONE);
    assertThat(decision.reason()).isNull();
    assertThat(decision.dryRun()).extracting(DryRunMatch::ruleId).containsExactly("no-curl-trial");
  }

  @Test
  void shouldRecordNothingWhenNoDryRunRuleMatches() {
    assertThat(bash("wget https://example.com").dryRun()).isEmpty();
    assertThat(bash("cat /etc/hosts").dryRun()).isEmpty();
  }

  @Test
  void shouldJudgeMcpViewsWithDryRunRulesToo() throws Exception {
    ObjectNode input = new ObjectMapper().createObjectNode().put("path", "/etc/shadow");
    Decision decision =
        evaluator.evaluate(
            policy,
            new ToolCall(
                "PreToolUse",
                "mcp__fs__read_file",
                input,
                Policies.WORKSPACE,
                Policies.TRANSCRIPT,
                "default"));

    assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
    assertThat(decision.dryRun())
        .singleElement()
        .satisfies(
            match -> {
              assertThat(match.ruleId()).isEqualTo("shadow-read-trial");
              assertThat(match.reason()).contains("judged as Read of '/etc/shadow'");
            });
  }

  @Test
  void shouldMarkDryRunMatchesInTheExplanation() {
    Explanation explanation = evaluator.explain(policy, Policies.bash("curl https://example.com"));

    assertThat(explanation.matches())
        .extracting(Explanation.Match::ruleId, Explanation.Match::dryRun)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("no-curl-trial", true),
            org.assertj.core.groups.Tuple.tuple("curl-allowed", false));
    assertThat(explanation.decision().dryRun()).hasSize(1);
  }

  @Test
  void shouldRefuseADryRunAllowRule() {
    String yaml =
        POLICY.replace("    decision: allow\n", "    decision: allow\n    enforcement: dryrun\n");

    assertThatThrownBy(() -> Policies.loader().load(bytes(yaml), "test"))
        .isInstanceOf(PolicyRefusedException.class)
        .satisfies(
            e ->
                assertThat(((PolicyRefusedException) e).problems())
                    .singleElement()
                    .asString()
                    .startsWith(
                        "rule curl-allowed: enforcement: dryrun is for deny and ask rules"));
  }

  @Test
  void shouldRefuseAnUnknownEnforcementNamingTheRule() {
    String yaml = POLICY.replaceFirst("enforcement: dryrun", "enforcement: warn");

    assertThatThrownBy(() -> Policies.loader().load(bytes(yaml), "test"))
        .isInstanceOf(PolicyRefusedException.class)
        .satisfies(
            e ->
                assertThat(String.join("\n", ((PolicyRefusedException) e).problems()))
                    .contains(
                        "/rules/0/enforcement: does not have a value in the enumeration"
                            + " [\"enforce\", \"dryrun\"]"));
  }

  @Test
  void shouldCheckADryRunRulesExamplesLikeAnyOther() {
    String yaml = POLICY.replace("deny: [curl https://example.com]", "deny: [wget x]");

    assertThatThrownBy(() -> Policies.loader().load(bytes(yaml), "test"))
        .isInstanceOf(PolicyRefusedException.class)
        .satisfies(
            e ->
                assertThat(((PolicyRefusedException) e).problems())
                    .anySatisfy(
                        problem ->
                            assertThat(problem)
                                .startsWith("rule no-curl-trial: example wget x should get deny")));
  }

  @Test
  void shouldLoadTheSharedTestRuleBesideTheShippedPolicyWithoutChangingItsAnswers()
      throws Exception {
    Policy withDryRun = Policies.loader().load(bytes(Policies.shippedWithDryRunRule()), "test");

    Decision listing = evaluator.evaluate(withDryRun, Policies.bash("ls -la"));
    assertThat(listing.verdict()).isEqualTo(Verdict.NONE);
    assertThat(listing.dryRun())
        .extracting(DryRunMatch::ruleId)
        .containsExactly("list-hidden-files");
    Decision wipe = evaluator.evaluate(withDryRun, Policies.bash("ls -a / && rm -rf /"));
    assertThat(wipe.verdict()).isEqualTo(Verdict.DENY);
    assertThat(wipe.ruleId()).isEqualTo("rm-recursive-outside-workspace");
    assertThat(wipe.dryRun()).extracting(DryRunMatch::ruleId).containsExactly("list-hidden-files");
  }

  private static byte[] bytes(String yaml) {
    return yaml.getBytes(StandardCharsets.UTF_8);
  }
}
