package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * "No rule decided" is its own verdict, and only an explicit allow rule grants: deny > ask > allow
 * > none.
 */
class AllowRuleTest {

  static final String POLICY =
      """
      apiVersion: claude-telemetry.dev/v1
      kind: ClaudePolicy
      metadata: {name: test, version: "1"}
      mode: enforce
      rules:
        - id: no-force-push
          description: no force push
          tools: [Bash]
          decision: ask
          message: Ask first. Instead push a branch.
          match:
            command: {names: [git], subcommands: [push], flags: [force]}
          examples:
            ask: [git push --force]
            allow: [git push]
        - id: no-etc
          description: no etc reads
          tools: [Bash, Read]
          decision: deny
          message: Not there. Instead read the docs.
          match:
            paths: {globs: ["/etc/**"]}
          examples:
            deny: [cat /etc/shadow]
            none: [cat README.md]
        - id: read-only-git
          description: read-only git commands are pre-approved
          tools: [Bash]
          decision: allow
          message: Read-only git is pre-approved by the platform team.
          match:
            command: {names: [git], subcommands: [status, log, diff, push]}
          examples:
            allow: [git status, "git log --oneline | git diff"]
            none: [git commit -m x, "git status; rm -rf build"]
        - id: read-docs
          description: reading docs is pre-approved
          tools: [Read]
          decision: allow
          message: Docs are public.
          match:
            paths: {globs: ["**/docs/**"]}
          examples:
            allow: [{tool: Read, file_path: /home/claude-user/workspace/docs/a.md}]
            none: [{tool: Read, file_path: /home/claude-user/workspace/src/a.java}]
      """;

  private final Policy policy = load(POLICY);
  private final PolicyEvaluator evaluator = Policies.evaluator();

  static Policy load(String yaml) {
    try {
      return Policies.loader().load(yaml.getBytes(StandardCharsets.UTF_8), "test");
    } catch (PolicyRefusedException e) {
      throw new AssertionError(String.join("\n", e.problems()), e);
    }
  }

  private Decision bash(String command) {
    return evaluator.evaluate(policy, Policies.bash(command));
  }

  @Test
  void shouldLeaveACallNoRuleDecidesUndecided() {
    Decision decision = bash("make test");

    assertThat(decision.verdict()).isEqualTo(Verdict.NONE);
    assertThat(decision.ruleId()).isNull();
    assertThat(decision.reason()).isNull();
  }

  @Test
  void shouldGrantOnlyWhatAnAllowRuleMatches() {
    Decision decision = bash("git status");

    assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(decision.ruleId()).isEqualTo("read-only-git");
    assertThat(decision.reason()).contains("Allowed by policy rule read-only-git");
    assertThat(evaluator.evaluate(policy, Policies.file("Read", "docs/a.md")).verdict())
        .isEqualTo(Verdict.ALLOW);
    assertThat(evaluator.evaluate(policy, Policies.file("Read", "src/a.md")).verdict())
        .isEqualTo(Verdict.NONE);
  }

  @Test
  void shouldGrantACompoundCommandOnlyWhenEveryCommandIsAllowed() {
    assertThat(bash("git status && git diff | git log").verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(bash("git status && touch x").verdict()).isEqualTo(Verdict.NONE);
    assertThat(bash("git status; bash -c 'curl x'").verdict()).isEqualTo(Verdict.NONE);
  }

  @Test
  void shouldLetDenyAndAskBeatAllow() {
    assertThat(bash("git push --force").verdict()).isEqualTo(Verdict.ASK);
    assertThat(bash("git status; cat /etc/passwd").verdict()).isEqualTo(Verdict.DENY);
  }

  @Test
  void shouldNeverGrantACommandTheGuardCouldNotRead() {
    Decision decision = bash("git status; if then fi (");

    assertThat(decision.verdict()).isEqualTo(Verdict.ASK);
    assertThat(decision.ruleId()).isEqualTo(PolicyEvaluator.UNPARSEABLE_RULE_ID);
    Policy noneForUnparseable =
        load(POLICY.replace("mode: enforce\n", "mode: enforce\nsettings:\n  unparseable: none\n"));
    assertThat(
            evaluator
                .evaluate(noneForUnparseable, Policies.bash("git status; if then fi ("))
                .verdict())
        .isEqualTo(Verdict.NONE);
  }

  @Test
  void shouldCheckAnAllowRulesExamplesUnderAllowAndNone() {
    PolicyRefusedException refusal =
        PolicyLoaderTest.refusal(
            POLICY.replace(
                "allow: [git status, \"git log --oneline | git diff\"]",
                "allow: [git status, \"git status; touch x\"]"));
    assertThat(refusal.problems())
        .containsExactly(
            "rule read-only-git: example git status; touch x should get allow from this rule but does not match it");
    assertThat(
            PolicyLoaderTest.refusal(
                    POLICY.replace(
                        "none: [git commit -m x,", "none: [git diff HEAD, git commit -m x,"))
                .problems())
        .containsExactly(
            "rule read-only-git: example git diff HEAD is listed as one the rule must not match, but the rule matches it");
    assertThat(
            PolicyLoaderTest.refusal(POLICY.replace("ask: [git push --force]", "deny: [x]"))
                .getMessage())
        .contains("decides ask, so its matching examples belong under examples.ask");
  }
}
