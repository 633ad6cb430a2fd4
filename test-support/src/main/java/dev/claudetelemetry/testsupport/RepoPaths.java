package dev.claudetelemetry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the repository is, seen from a module's test run (Surefire's working directory is the
 * module).
 */
public final class RepoPaths {
  private RepoPaths() {}

  public static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("testdata"))) {
        return p;
      }
    }
    throw new IllegalStateException("not inside the claude-telemetry repository: " + dir);
  }

  /**
   * The shipped policy with the rule of {@code testdata/policies/dryrun-rule.yaml} (a deny rule in
   * {@code enforcement: dryrun} that matches the recorded {@code ls -la}) appended to its rules.
   */
  public static String policyWithDryRunRule() {
    try {
      return Files.readString(root().resolve("policies/default-policy.yaml"))
          + Files.readString(root().resolve("testdata/policies/dryrun-rule.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Recorded Claude Code 2.1.330 fixtures: hooks/, transcripts/, otel/. */
  public static Path claudeCodeFixtures() {
    return root().resolve("testdata/claude-code");
  }
}
