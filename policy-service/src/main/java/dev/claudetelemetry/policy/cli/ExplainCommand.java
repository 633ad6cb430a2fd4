package dev.claudetelemetry.policy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.policy.rules.DryRunMatch;
import dev.claudetelemetry.policy.rules.Explanation;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import dev.claudetelemetry.policy.rules.ToolCall;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code check --bash 'CMD'} and {@code check --tool NAME --input JSON}: how a policy judges one
 * call, and why — the verdict, the deciding rule and its reason, every rule that matched, and what
 * the guard saw (each command after unwrapping, with its depth, directory and pipeline; each path
 * as normalised). What an operator runs while editing the policy ConfigMap.
 *
 * <p>Options: {@code --policy FILE} (a policy or ConfigMap file; default: the policy packaged in
 * the jar), {@code --cwd DIR} (default {@code settings.examples.cwd}, else {@code
 * /home/claude-user/workspace}), {@code --home DIR} (default {@code /home/claude-user}), {@code
 * --event PreToolUse|PermissionRequest}. Exit 0 with an explanation, 1 when the policy is refused,
 * 2 for a usage error.
 */
final class ExplainCommand {

  static final String USAGE =
      "usage: check --bash 'COMMAND' [--cwd DIR] [--home DIR] [--policy FILE]\n"
          + "       check --tool NAME --input 'JSON' [--cwd DIR] [--home DIR] [--policy FILE]";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final PolicyEvaluator evaluator;

  ExplainCommand(PrintStream out, PolicyEvaluator evaluator) {
    this.out = out;
    this.evaluator = evaluator;
  }

  static boolean handles(List<String> args) {
    return !args.isEmpty() && (args.get(0).equals("--bash") || args.get(0).equals("--tool"));
  }

  int run(List<String> args) {
    CommandOptions options =
        CommandOptions.parse(
            args,
            Set.of("--bash", "--tool", "--input", "--cwd", "--home", "--policy", "--event"),
            Set.of());
    if (options.problem() != null) {
      return usage(options.problem());
    }
    String bash = options.value("--bash", null);
    String tool = options.value("--tool", null);
    String input = options.value("--input", null);
    String cwd = options.value("--cwd", null);
    String home = options.value("--home", "/home/claude-user");
    String policyFile = options.value("--policy", null);
    String event = options.value("--event", "PreToolUse");
    if ((bash == null) == (tool == null)) {
      return usage("give either --bash or --tool");
    }
    if (!home.startsWith("/") || (cwd != null && !cwd.startsWith("/"))) {
      return usage("--cwd and --home must be absolute paths");
    }
    Policy policy;
    try {
      policy = load(policyFile);
    } catch (IOException e) {
      out.println("REFUSED " + policyFile + ": cannot read it (" + e.getMessage() + ")");
      return 1;
    } catch (PolicyRefusedException e) {
      out.println("REFUSED " + policyFile + ": " + e.problems().size() + " problem(s):");
      e.problems().forEach(problem -> out.println("  - " + problem));
      return 1;
    }
    JsonNode toolInput;
    if (bash != null) {
      tool = "Bash";
      toolInput = JSON.createObjectNode().put("command", bash);
    } else {
      try {
        toolInput = input == null ? JSON.createObjectNode() : JSON.readTree(input);
      } catch (JsonProcessingException e) {
        return usage("--input is not JSON: " + e.getOriginalMessage());
      }
      if (!(toolInput instanceof ObjectNode)) {
        return usage("--input must be a JSON object");
      }
    }
    String workingDirectory = cwd != null ? cwd : policy.settings().exampleCwd();
    ToolCall call =
        new ToolCall(
            event,
            tool,
            toolInput,
            workingDirectory,
            home + "/.claude/projects/explain/explain.jsonl",
            "default");
    print(policy, call, evaluator.explain(policy, call));
    return 0;
  }

  private Policy load(String file) throws IOException, PolicyRefusedException {
    return PolicyFiles.load(file, new PolicyLoader(evaluator));
  }

  private void print(Policy policy, ToolCall call, Explanation explanation) {
    out.printf(
        "policy    %s version %s (%s, mode %s)%n",
        policy.name(), policy.version(), policy.origin(), policy.mode().wireName());
    out.printf("call      %s %s%n", call.event(), call.tool());
    out.printf(
        "context   cwd %s, workspace %s, home %s%n",
        explanation.cwd(),
        explanation.workspace() == null ? "(none)" : explanation.workspace(),
        explanation.home());
    for (String view : explanation.views()) {
      out.println("judged as " + view);
    }
    if (call.tool().equals("Bash")) {
      out.println(
          "analysis  "
              + (explanation.problem() == null
                  ? "complete"
                  : "INCOMPLETE: " + explanation.problem()));
      if (explanation.opaque() != null) {
        out.println("unseen    " + explanation.opaque());
      }
    }
    int index = 0;
    for (Explanation.Command command : explanation.commands()) {
      out.printf(
          "command %d depth %d%s%s%s%n",
          ++index,
          command.depth(),
          command.depth() > 0 ? " (inside bash -c / eval / a wrapper's string)" : "",
          command.upstream().isEmpty()
              ? ""
              : ", stdin from " + String.join(" | ", command.upstream()),
          command.substitutions().isEmpty()
              ? ""
              : ", substitutes output of " + String.join(", ", command.substitutions()));
      out.println("  argv    " + jsonArray(command.argv()));
      out.println("  cwd     " + command.cwd());
      printPaths(command.paths());
    }
    printPaths(explanation.filePaths());
    if (explanation.matches().isEmpty()) {
      out.println("matched   no rule");
    }
    for (Explanation.Match match : explanation.matches()) {
      out.printf(
          "matched   %s (%s%s): %s%n",
          match.ruleId(),
          match.decision().wireName(),
          match.dryRun() ? ", dryrun: not enforced" : "",
          match.quote());
    }
    out.println("verdict   " + explanation.decision().verdict().wireName());
    out.println(
        "rule      "
            + (explanation.decision().ruleId() == null
                ? "(none)"
                : explanation.decision().ruleId()));
    out.println(
        "reason    "
            + (explanation.decision().reason() == null
                ? "(no rule decided: Claude Code gets no decision, its own permission system applies)"
                : explanation.decision().reason()));
    for (DryRunMatch match : explanation.decision().dryRun()) {
      out.printf(
          "dryrun    %s would have answered %s: %s%n",
          match.ruleId(), match.verdict().wireName(), match.reason());
    }
  }

  private void printPaths(List<Explanation.Path> paths) {
    for (Explanation.Path path : paths) {
      out.printf(
          "  path    %s -> %s (%s%s)%n",
          path.written(),
          path.normalized(),
          path.access(),
          path.redirection() ? ", redirection" : "");
    }
  }

  private static String jsonArray(List<String> words) {
    try {
      return JSON.writeValueAsString(words);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private int usage(String problem) {
    out.println(problem);
    out.println(USAGE);
    return 2;
  }
}
