package dev.claudetelemetry.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.policy.decisions.HookInputReader;
import dev.claudetelemetry.policy.decisions.ProblemException;
import dev.claudetelemetry.policy.paths.PathNormalizer;
import dev.claudetelemetry.policy.rules.Decision;
import dev.claudetelemetry.policy.rules.DryRunMatch;
import dev.claudetelemetry.policy.rules.Enforcement;
import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import dev.claudetelemetry.policy.rules.Rule;
import dev.claudetelemetry.policy.rules.ToolCall;
import dev.claudetelemetry.policy.shell.BashAnalyzer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code check POLICY.yaml [SAMPLE.json|DIR ...]}: loads a policy (a policy file or a ConfigMap
 * file carrying one, {@link PolicyFiles}) exactly as the service would (schema, CEL, every rule's
 * examples) and judges sample hook inputs with it. A sample is a hook input, or {@code {"expect":
 * "deny", "input": {hook input}}} to also assert the verdict. Exit code 0 when the policy would be
 * accepted and every expectation holds, 1 otherwise, 2 for a usage error. {@code check --bash
 * 'CMD'} and {@code check --tool NAME --input JSON} explain one call instead ({@link
 * ExplainCommand}); {@code check test POLICY TESTS...} runs policy test files ({@link
 * TestCommand}).
 */
public final class PolicyCheckCommand {

  private final PrintStream out;

  public PolicyCheckCommand(PrintStream out) {
    this.out = out;
  }

  public int run(List<String> args) {
    if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help")) {
      out.println("usage: java -jar quarkus-run.jar check POLICY.yaml [SAMPLE.json | DIR ...]");
      out.println(ExplainCommand.USAGE.replace("usage: check", "       check"));
      out.println(TestCommand.USAGE.replace("usage: check", "       check"));
      out.println(ReplayCommand.USAGE.replace("usage: check", "       check"));
      return args.isEmpty() ? 2 : 0;
    }
    PolicyEvaluator evaluator =
        new PolicyEvaluator(new BashAnalyzer(5, 64 * 1024), new PathNormalizer(true));
    if (ExplainCommand.handles(args)) {
      return new ExplainCommand(out, evaluator).run(args);
    }
    if (args.get(0).equals("replay")) {
      return new ReplayCommand(out, System.getenv()).run(args.subList(1, args.size()));
    }
    if (args.get(0).equals("test")) {
      return new TestCommand(out, evaluator).run(args.subList(1, args.size()));
    }
    Path policyFile = Path.of(args.get(0));
    Policy policy;
    try {
      policy = PolicyFiles.load(policyFile.toString(), new PolicyLoader(evaluator));
    } catch (IOException e) {
      out.println("REFUSED " + policyFile + ": cannot read it (" + e.getMessage() + ")");
      return 1;
    } catch (PolicyRefusedException e) {
      out.println(
          "REFUSED "
              + policyFile
              + ": the service would keep its last good policy. "
              + e.problems().size()
              + " problem(s):");
      e.problems().forEach(problem -> out.println("  - " + problem));
      return 1;
    }
    int examples = policy.rules().stream().mapToInt(rule -> rule.examples().size()).sum();
    out.printf(
        "OK %s: policy %s version %s, mode %s, sha256 %s%n",
        policyFile, policy.name(), policy.version(), policy.mode().wireName(), policy.sha256());
    out.printf("   %d rules, %d examples, all pass%n", policy.rules().size(), examples);
    for (Rule rule : policy.rules()) {
      out.printf(
          "   %-36s %-5s %s%s%n",
          rule.id(),
          rule.decision().wireName(),
          String.join(",", rule.tools()),
          rule.enforcement() == Enforcement.DRYRUN ? " (dryrun: recorded, not enforced)" : "");
    }
    List<Path> samples = new ArrayList<>();
    for (String arg : args.subList(1, args.size())) {
      Path path = Path.of(arg);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          files.filter(f -> f.toString().endsWith(".json")).sorted().forEach(samples::add);
        } catch (IOException e) {
          out.println("FAIL " + path + ": cannot list it (" + e.getMessage() + ")");
          return 1;
        }
      } else {
        samples.add(path);
      }
    }
    return samples.isEmpty() ? 0 : judge(samples, policy, evaluator);
  }

  private int judge(List<Path> samples, Policy policy, PolicyEvaluator evaluator) {
    HookInputReader reader = new HookInputReader(64);
    int failures = 0;
    out.println("Samples:");
    for (Path sample : samples) {
      try {
        JsonNode node = reader.readTree(Files.readAllBytes(sample));
        String expect =
            node.has("expect") && node.has("input") ? node.get("expect").asText() : null;
        ToolCall call = reader.toolCall(expect == null ? node : node.get("input"));
        Decision decision = evaluator.evaluate(policy, call);
        boolean ok = expect == null || expect.equals(decision.verdict().wireName());
        failures += ok ? 0 : 1;
        out.printf(
            "  %s %s: %s%s%s%n",
            ok ? "ok  " : "FAIL",
            sample,
            decision.verdict().wireName(),
            decision.ruleId() == null ? "" : " by " + decision.ruleId(),
            expect == null ? "" : " (expected " + expect + ")");
        if (decision.reason() != null) {
          out.println("       " + decision.reason());
        }
        for (DryRunMatch match : decision.dryRun()) {
          out.printf(
              "       dryrun %s would have answered %s%n",
              match.ruleId(), match.verdict().wireName());
        }
      } catch (IOException | ProblemException e) {
        failures++;
        out.printf("  FAIL %s: not a hook input (%s)%n", sample, e.getMessage());
      }
    }
    out.println(failures == 0 ? "All samples as expected." : failures + " sample(s) failed.");
    return failures == 0 ? 0 : 1;
  }
}
