package dev.claudetelemetry.policy.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Entry point of {@code quarkus-run.jar}: {@code check ...} tests a policy file offline and exits
 * without starting the server; anything else runs the service.
 */
@QuarkusMain
public class PolicyServiceMain {

  public static void main(String... args) {
    if (args.length > 0 && args[0].equals("check")) {
      System.exit(
          new PolicyCheckCommand(System.out).run(Arrays.asList(args).subList(1, args.length)));
    }
    Quarkus.run(args);
  }
}
