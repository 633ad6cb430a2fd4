package dev.claudetelemetry.policy.cli;

import dev.claudetelemetry.policy.rules.Policy;
import dev.claudetelemetry.policy.rules.PolicyEvaluator;
import dev.claudetelemetry.policy.rules.PolicyLoader;
import dev.claudetelemetry.policy.rules.PolicyRefusedException;
import dev.claudetelemetry.policy.suites.PolicyTestCase;
import dev.claudetelemetry.policy.suites.PolicyTestFileException;
import dev.claudetelemetry.policy.suites.PolicyTestReader;
import dev.claudetelemetry.policy.suites.PolicyTestRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check test POLICY TESTS...}: loads a policy (a policy file or a ConfigMap file carrying
 * one) exactly as the service would, judges every case of the test files ({@code policies/tests/}
 * format, {@link PolicyTestReader}) and prints each failure. Exit 0 when the policy loads and every
 * case holds, 1 otherwise, 2 for a usage error; the way {@code gator verify} runs suites in CI.
 */
final class TestCommand {

  static final String USAGE =
      "usage: check test POLICY.yaml|CONFIGMAP.yaml TESTS.yaml|TESTS-DIR [...]";

  private final PrintStream out;
  private final PolicyEvaluator evaluator;

  TestCommand(PrintStream out, PolicyEvaluator evaluator) {
    this.out = out;
    this.evaluator = evaluator;
  }

  int run(List<String> args) {
    if (args.size() < 2 || args.get(0).startsWith("-")) {
      out.println(USAGE);
      return 2;
    }
    String policyFile = args.get(0);
    Policy policy;
    try {
      policy = PolicyFiles.load(policyFile, new PolicyLoader(evaluator));
    } catch (IOException e) {
      out.println("REFUSED " + policyFile + ": cannot read it (" + e.getMessage() + ")");
      return 1;
    } catch (PolicyRefusedException e) {
      out.println("REFUSED " + policyFile + ": " + e.problems().size() + " problem(s):");
      e.problems().forEach(problem -> out.println("  - " + problem));
      return 1;
    }
    out.printf(
        "policy %s version %s (%s), sha256 %s: loads, every rule's examples pass%n",
        policy.name(), policy.version(), policyFile, policy.sha256());
    int total = 0;
    int failed = 0;
    for (String suite : args.subList(1, args.size())) {
      List<PolicyTestCase> cases;
      try {
        cases = PolicyTestReader.read(Path.of(suite));
      } catch (PolicyTestFileException e) {
        out.println("ERROR " + suite + ": " + e.getMessage());
        failed++;
        continue;
      }
      Map<String, int[]> perFile = new LinkedHashMap<>();
      List<PolicyTestRun.Failure> failures = new ArrayList<>();
      for (PolicyTestCase c : cases) {
        String file = c.where().substring(0, c.where().lastIndexOf('#'));
        int[] counts = perFile.computeIfAbsent(file, f -> new int[2]);
        counts[0]++;
        PolicyTestRun.Failure failure = PolicyTestRun.check(policy, evaluator, c);
        if (failure != null) {
          counts[1]++;
          failures.add(failure);
        }
      }
      for (Map.Entry<String, int[]> file : perFile.entrySet()) {
        int[] counts = file.getValue();
        out.printf(
            "%s %s/%s: %d cases%s%n",
            counts[1] == 0 ? "ok  " : "FAIL",
            suite,
            file.getKey(),
            counts[0],
            counts[1] == 0 ? "" : ", " + counts[1] + " failed");
      }
      for (PolicyTestRun.Failure failure : failures) {
        out.printf("  FAIL %s %s%n", failure.testCase().where(), failure.testCase().label());
        out.println("       " + failure.problem());
        if (failure.decision() != null && failure.decision().reason() != null) {
          out.println("       reason: " + failure.decision().reason());
        }
      }
      total += cases.size();
      failed += failures.size();
    }
    out.println(
        failed == 0
            ? "PASS " + total + " cases"
            : "FAIL " + failed + " of " + total + " cases (or test files) failed");
    return failed == 0 ? 0 : 1;
  }
}
