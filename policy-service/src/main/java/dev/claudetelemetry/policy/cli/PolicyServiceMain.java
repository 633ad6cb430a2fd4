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
      // Offline, Quarkus' logging configuration never applies: the jar's log manager then reports
      // DEBUG as enabled for every logger, and JDK internals (the HTTP client check replay reads
      // pages with) format trace lines per chunk that the handler drops.
      java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
      System.exit(
          new PolicyCheckCommand(System.out).run(Arrays.asList(args).subList(1, args.length)));
    }
    Quarkus.run(args);
  }
}
