package dev.claudetelemetry.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * /tmp and /var/tmp are scratch: deleting there is allowed. But a home or a workspace that sits
 * below /tmp is still the home or the workspace, and the protection of the home, the workspace root
 * and .git wins over the scratch allowance (so does a directory holding either).
 */
class ScratchProtectionTest {

  private static final Policy POLICY = Policies.shipped();
  private static final PolicyEvaluator EVALUATOR = Policies.evaluator();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NORMAL_TRANSCRIPT = Policies.TRANSCRIPT;
  private static final String TMP_HOME_TRANSCRIPT = "/tmp/h/.claude/projects/-tmp-h-work/s.jsonl";

  private static Verdict judge(String command, String cwd, String transcript) {
    ToolCall call =
        new ToolCall(
            "PreToolUse",
            "Bash",
            JSON.createObjectNode().put("command", command),
            cwd,
            transcript,
            "default");
    return EVALUATOR.evaluate(POLICY, call).verdict();
  }

  @Test
  void shouldProtectAHomeBelowTmp() {
    String cwd = "/tmp/h/work";
    for (String command :
        new String[] {
          "rm -rf ~",
          "rm -rf $HOME",
          "rm -rf \"${HOME}/\"",
          "rm -rf ~/*",
          "rm -rf ~/.ssh",
          "rm -rf /tmp/h",
          "rm -rf /tmp",
          "rm -rf /tmp/*",
          "find ~ -type f -delete",
          "rimraf ~",
          "cd ~ && rm -rf ./*"
        }) {
      assertThat(judge(command, cwd, TMP_HOME_TRANSCRIPT)).as(command).isEqualTo(Verdict.DENY);
    }
    for (String command :
        new String[] {"rm -rf build", "rm -rf /tmp/other", "rm -rf /var/tmp/cache", "rm ~/x.txt"}) {
      assertThat(judge(command, cwd, TMP_HOME_TRANSCRIPT)).as(command).isEqualTo(Verdict.NONE);
    }
  }

  @Test
  void shouldProtectAWorkspaceBelowTmp() {
    String cwd = "/tmp/project";
    for (String command :
        new String[] {
          "rm -rf .", "rm -rf /tmp/project", "rm -rf .git", "rm -rf *", "rm -rf /tmp", "rm -rf ../*"
        }) {
      assertThat(judge(command, cwd, NORMAL_TRANSCRIPT)).as(command).isEqualTo(Verdict.DENY);
    }
    for (String command :
        new String[] {"rm -rf build", "rm -rf /tmp/other", "rm -rf node_modules dist"}) {
      assertThat(judge(command, cwd, NORMAL_TRANSCRIPT)).as(command).isEqualTo(Verdict.NONE);
    }
  }

  @Test
  void shouldTreatTmpAsTheWorkspaceOfASessionStartedThere() {
    for (String command : new String[] {"rm -rf .", "rm -rf /tmp", "rm -rf *"}) {
      assertThat(judge(command, "/tmp", NORMAL_TRANSCRIPT)).as(command).isEqualTo(Verdict.DENY);
    }
    for (String command : new String[] {"rm -rf build", "rm -rf /tmp/build", "rm -rf /var/tmp"}) {
      assertThat(judge(command, "/tmp", NORMAL_TRANSCRIPT)).as(command).isEqualTo(Verdict.NONE);
    }
  }

  @Test
  void shouldKeepScratchFreeForASessionInItsWorkspace() {
    String cwd = Policies.WORKSPACE;
    for (String command :
        new String[] {"rm -rf /tmp", "rm -rf /tmp/*", "rm -rf /tmp/build", "rm -rf /var/tmp"}) {
      assertThat(judge(command, cwd, NORMAL_TRANSCRIPT)).as(command).isEqualTo(Verdict.NONE);
    }
  }
}
