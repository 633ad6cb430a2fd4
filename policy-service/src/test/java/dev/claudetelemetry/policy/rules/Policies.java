package dev.claudetelemetry.policy.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helpers: the shipped policy, loaded the way the service loads it, and tool calls to judge.
 */
public final class Policies {

  /** Surefire runs in the module directory; the shipped policy lives once, in ../policies. */
  public static final Path SHIPPED = Path.of("../policies/default-policy.yaml");

  public static final String WORKSPACE = "/home/claude-user/workspace";
  public static final String TRANSCRIPT =
      "/home/claude-user/.claude/projects/-home-claude-user-workspace/s.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Policies() {}

  public static PolicyEvaluator evaluator() {
    return new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(true));
  }

  public static PolicyLoader loader() {
    return new PolicyLoader(evaluator());
  }

  public static Policy shipped() {
    try {
      return loader().load(Files.readAllBytes(SHIPPED), SHIPPED.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PolicyRefusedException e) {
      throw new AssertionError(
          "the shipped policy is refused: " + String.join("\n", e.problems()), e);
    }
  }

  /**
   * The shipped policy with the rule of {@code testdata/policies/dryrun-rule.yaml} (a deny rule in
   * {@code enforcement: dryrun} matching the recorded {@code ls -la}) appended to its rules.
   */
  public static String shippedWithDryRunRule() {
    try {
      return Files.readString(SHIPPED)
          + Files.readString(Path.of("../testdata/policies/dryrun-rule.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ToolCall bash(String command) {
    return bash(command, WORKSPACE);
  }

  public static ToolCall bash(String command, String cwd) {
    ObjectNode input = JSON.createObjectNode().put("command", command);
    return new ToolCall("PreToolUse", "Bash", input, cwd, TRANSCRIPT, "default");
  }

  public static ToolCall file(String tool, String path) {
    ObjectNode input =
        JSON.createObjectNode()
            .put(tool.equals("NotebookEdit") ? "notebook_path" : "file_path", path);
    return new ToolCall("PreToolUse", tool, input, WORKSPACE, TRANSCRIPT, "default");
  }
}
