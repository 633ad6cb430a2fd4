package dev.claudetelemetry.testsupport;

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

  /** Recorded Claude Code 2.1.330 fixtures: hooks/, transcripts/, otel/. */
  public static Path claudeCodeFixtures() {
    return root().resolve("testdata/claude-code");
  }
}
