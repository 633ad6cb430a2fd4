package dev.claudetelemetry.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the repository's files are, seen from the module directory (Surefire's working directory).
 */
final class RepoFiles {

  private RepoFiles() {}

  static Path root() {
    String override = System.getProperty("claudeTelemetry.repoRoot");
    return (override == null ? Path.of("..") : Path.of(override)).toAbsolutePath().normalize();
  }

  static Path chart() {
    return root().resolve("helm/claude-telemetry");
  }

  static Path umbrellaChart() {
    return root().resolve("helm/claude-telemetry-stack");
  }

  static Path resolve(String relative) {
    return root().resolve(relative);
  }

  /**
   * The file, which must exist: a missing file another part of the repo owns should fail with its
   * name.
   */
  static Path existing(String relative) {
    Path path = resolve(relative);
    assertThat(path).as("%s must exist", relative).exists();
    return path;
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(existing(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String relative) {
    try {
      return Files.readString(existing(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
