package dev.claudetelemetry.transcript;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Debian's headless Chromium, run once per page: the DOM after load, or a screenshot. */
final class Chromium {
  private static final Path BINARY = Path.of("/usr/bin/chromium");

  private Chromium() {}

  static String dumpDom(String url) throws IOException, InterruptedException {
    return run(url, "--dump-dom", null);
  }

  static void screenshot(String url, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.createDirectories(png.getParent());
    run(url, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height);
    if (!Files.isRegularFile(png) || Files.size(png) < 1000) {
      throw new IllegalStateException("chromium wrote no screenshot to " + png);
    }
  }

  /** A fresh profile directory for one browser, once Chromium is known to be installed. */
  static Path newProfile() throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          "/usr/bin/chromium is missing: apt-get install chromium (./test does)");
    }
    return Files.createTempDirectory("ct-chromium");
  }

  /**
   * The command line every test browser starts with: headless, on the given profile, and fetching
   * nothing of its own (updates, sync, first-run pages), so it talks only to the service under
   * test. The caller adds what to do.
   */
  static List<String> headless(Path profile) {
    return new ArrayList<>(
        List.of(
            BINARY.toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--user-data-dir=" + profile));
  }

  private static String run(String url, String action, String extra)
      throws IOException, InterruptedException {
    Path profile = newProfile();
    Path err = Files.createTempFile("ct-chromium", ".log");
    try {
      List<String> command = headless(profile);
      command.addAll(List.of("--hide-scrollbars", "--virtual-time-budget=3000", action));
      if (extra != null) {
        command.add(extra);
      }
      command.add(url);
      Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("chromium did not finish within 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "chromium exited " + process.exitValue() + ": " + Files.readString(err));
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      deleteTree(profile);
      Files.deleteIfExists(err);
    }
  }

  /** Chromium leaves a profile of a few megabytes per run; the test machine keeps none of them. */
  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
