package dev.claudetelemetry.e2e.scripts;

import dev.claudetelemetry.testsupport.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of k8s/claude-code/bin/* the way Claude Code does: input on stdin, a given environment.
 */
final class PodScript {
  record Outcome(int exitCode, String stdout, String stderr, Duration took) {}

  private PodScript() {}

  static Path path(String name) {
    return RepoPaths.root().resolve("k8s/claude-code/bin").resolve(name);
  }

  static Outcome run(String name, String stdin, Map<String, String> env) {
    Instant started = Instant.now();
    try {
      ProcessBuilder builder = new ProcessBuilder(path(name).toString());
      builder.environment().clear();
      builder.environment().put("PATH", "/usr/bin:/bin");
      builder.environment().putAll(env);
      Process process = builder.start();
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException earlyExit) {
        // The script may decide (deny) before reading its input; Claude Code copes with that too.
      }
      var out = process.getInputStream();
      var err = process.getErrorStream();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not finish within 60 s");
      }
      return new Outcome(
          process.exitValue(),
          new String(out.readAllBytes(), StandardCharsets.UTF_8),
          new String(err.readAllBytes(), StandardCharsets.UTF_8),
          Duration.between(started, Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String fixture(String hookFile) {
    try {
      return Files.readString(RepoPaths.claudeCodeFixtures().resolve("hooks").resolve(hookFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
