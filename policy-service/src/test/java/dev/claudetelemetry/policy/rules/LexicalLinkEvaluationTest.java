package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import org.junit.jupiter.api.Test;

/**
 * With the service's own file system out of the picture (as in a cluster), links the command line
 * creates are still followed: the shipped policy sees where they lead.
 */
class LexicalLinkEvaluationTest {

  private final Policy policy = Policies.shipped();
  private final PolicyEvaluator lexicalOnly =
      new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(false));

  private Decision judge(String command) {
    return lexicalOnly.evaluate(policy, Policies.bash(command));
  }

  @Test
  void shouldFollowLinksTheCommandCreates() {
    assertThat(judge("ln -s ~/.ssh k; cat k/id_rsa").ruleId()).isEqualTo("ssh-private-keys");
    assertThat(judge("ln -sf /etc x && rm -rf x/").ruleId())
        .isEqualTo("rm-recursive-outside-workspace");
    assertThat(judge("ln -s ../../.aws a && cat a/credentials").ruleId())
        .isEqualTo("cloud-credentials");
  }

  @Test
  void shouldLeaveLinksInsideTheWorkspaceAlone() {
    assertThat(judge("ln -s build/out latest && rm -rf latest/").verdict()).isEqualTo(Verdict.NONE);
    assertThat(judge("cat k/id_rsa").verdict()).isEqualTo(Verdict.NONE);
  }
}
