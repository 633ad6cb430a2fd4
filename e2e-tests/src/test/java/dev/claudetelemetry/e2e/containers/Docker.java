package dev.claudetelemetry.e2e.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI and host commands, run as processes. Output goes to a file, not a pipe, so a
 * chatty command never stalls on a full pipe buffer.
 */
final class Docker {
  /** What a finished command left: its exit code and its stdout and stderr, interleaved. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Docker() {}

  /** Runs {@code docker args...}; fails with its output unless it exits 0. */
  static String docker(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return check(command, run(command, timeout));
  }

  static String docker(Duration timeout, List<String> args) {
    return docker(timeout, args.toArray(String[]::new));
  }

  static String check(List<String> command, Result result) {
    if (!result.ok()) {
      throw new IllegalStateException(
          "failed (" + result.exitCode() + "): " + command + "\n" + result.output());
    }
    return result.output();
  }

  /** Runs any command; returns its exit code and output (a timeout is exit code -1). */
  static Result run(List<String> command, Duration timeout) {
    try {
      Path out = Files.createTempFile("docker-cmd", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          return new Result(-1, Files.readString(out, StandardCharsets.UTF_8) + "\n(timed out)");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** True when a daemon answers and {@code image} is in it. */
  static boolean hasImage(String image) {
    return run(List.of("docker", "image", "inspect", image), Duration.ofSeconds(30)).ok();
  }
}
